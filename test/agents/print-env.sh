#!/usr/bin/env bash
# print-env.sh — fake agent: prints its environment (to stdout, and to $ENV_OUT when set) and exits 0.
# Installed under a CLI's name (claude) it stands for that CLI: a provider's variables are what it shows.
if [ "$1" = "--version" ]; then echo "0.0.0 (fake)"; exit 0; fi
env | sort | tee "${ENV_OUT:-/dev/null}"
exit 0

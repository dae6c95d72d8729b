#!/usr/bin/env bash
# fail.sh — fake agent: prints "something broke" to stderr and exits ${FAIL_CODE:-1}.
echo "something broke" >&2
exit "${FAIL_CODE:-1}"

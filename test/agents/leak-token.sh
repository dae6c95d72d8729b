#!/usr/bin/env bash
# leak-token.sh — fake agent: prints the API key it was given (and a bearer token) the way a careless CLI
# would, in its output and in its error, then fails. Whatever shows agent output must redact them.
echo "leak-token.sh: using ANTHROPIC_API_KEY=${ANTHROPIC_API_KEY}"
echo "leak-token.sh: request with x-api-key: ${ANTHROPIC_API_KEY}"
echo "Error: 401 invalid x-api-key ${ANTHROPIC_API_KEY} (Authorization: Bearer ${ANTHROPIC_API_KEY})" >&2
exit 1

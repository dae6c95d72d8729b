#!/usr/bin/env bash
# quota-spent.sh — fake agent: prints Codex's words for a spent quota (insufficient_quota) and exits 1
# (the real CLI's output: test/fixtures/agents/srv-codex-quota.txt).
echo '{"type":"error","message":"Quota exceeded. Check your plan and billing details."}'
echo '{"type":"turn.failed","error":{"message":"Quota exceeded. Check your plan and billing details."}}'
exit 1

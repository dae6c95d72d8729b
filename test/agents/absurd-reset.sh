#!/usr/bin/env bash
# absurd-reset.sh — fake agent that reports a usage limit with reset times no Date can hold: a Claude
# rate_limit_event "rejected" with resetsAt 1e300, and the words "try again in 99999999999999999999 days".
# Exits 1.
echo '{"type":"rate_limit_event","rate_limit_info":{"status":"rejected","resetsAt":1e300,"rateLimitType":"five_hour"}}'
echo "Error: usage limit reached. Please try again in 99999999999999999999 days." >&2
exit 1

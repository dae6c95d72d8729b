#!/usr/bin/env bash
# leak-secrets.sh — fake agent: prints every kind of secret it is given (env LEAK_*) the way a careless CLI
# or a tool it ran would: as plain text, inside Claude stream-json lines (message, tool result, final
# error result) and on stderr, then fails fast. Whatever the supervisor writes or shows must redact them.
# LEAK_AS=network: fail on the network instead (one error line).
# LEAK_PEM_BODY holds the base64 lines of a private key joined by spaces; LEAK_PEM2_BODY another key's,
# in lines of unusual length, printed last on stderr so that its BEGIN line scrolls out of the crash tail.
# LEAK_MODEL rides in the free-text model field; LEAK_ESC_VAL under a \u-escaped key name; LEAK_SPLIT_VAL
# after a name written in two pieces, a moment apart.
set -u
pem_text() { printf -- '-----BEGIN RSA PRIVATE KEY-----\n'; printf '%s\n' $LEAK_PEM_BODY; printf -- '-----END RSA PRIVATE KEY-----\n'; }
pem_json() { printf -- '-----BEGIN RSA PRIVATE KEY-----\\n'; printf '%s\\n' $LEAK_PEM_BODY; printf -- '-----END RSA PRIVATE KEY-----'; }

all() {
  echo "using key $LEAK_ANT for anthropic and $LEAK_OPENAI for openai (legacy $LEAK_LEGACY)"
  echo "curl -H 'Authorization: Bearer $LEAK_BEARER' https://api.example.com"
  echo "aws_access_key_id = $LEAK_AWS_ID"
  echo "aws_secret_access_key = $LEAK_AWS_SECRET"
  echo "export AWS_SECRET_ACCESS_KEY=$LEAK_AWS_SECRET2"
  echo "{\"AccessKey\": {\"UserName\": \"ci\", \"AccessKeyId\": \"$LEAK_AWS_ID\", \"SecretAccessKey\": \"$LEAK_AWS_SECRET3\"}}"
  echo "AWS_SECRET_ACCESS_KEY: $LEAK_AWS_SECRET4"
  echo "id_token: $LEAK_JWT"
  echo "git remote: https://deploy:$LEAK_URL_PASS@git.example.com/x/y.git"
  echo "MY_SERVICE_KEY=$LEAK_KEY_VAL GITLAB_TOKEN=$LEAK_TOKEN_VAL CLIENT_SECRET=$LEAK_SECRET_VAL"
}

if [ "${LEAK_AS:-}" = network ]; then
  # a network failure whose message quotes the secrets: the verdict's reason, and the monitor's alert, carry it
  all
  echo "Error: connect ECONNREFUSED 10.0.0.1:443 while sending key $LEAK_ANT Bearer $LEAK_BEARER $LEAK_AWS_ID AWS_SECRET_ACCESS_KEY=$LEAK_AWS_SECRET2 $LEAK_JWT https://u:$LEAK_URL_PASS@h.example GITLAB_TOKEN=$LEAK_TOKEN_VAL" >&2
  exit 1
fi
# plain text, then a PEM block
all
pem_text
# stream-json: init, an assistant message, a tool result (an env dump), then the final error result
printf '{"type":"system","subtype":"init","model":"claude-test","session_id":"s1"}\n'
printf '{"type":"system","subtype":"init","model":"claude %s","session_id":"s2"}\n' "$LEAK_MODEL"
printf '{"type":"assistant","message":{"id":"m0","model":"%s","content":[{"type":"text","text":"hi"}]}}\n' "$LEAK_MODEL"
printf '{"\\u0061pi_key": "%s", "client_\\u0073ecret": "%s"}\n' "$LEAK_ESC_VAL" "$LEAK_ESC_VAL"
all | while IFS= read -r line; do
  esc=${line//\\/\\\\}; esc=${esc//\"/\\\"}
  printf '{"type":"assistant","message":{"id":"m1","model":"claude-test","content":[{"type":"text","text":"%s"}]}}\n' "$esc"
  printf '{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t1","content":"%s"}]}}\n' "$esc"
done
printf '{"type":"assistant","message":{"id":"m2","model":"claude-test","content":[{"type":"text","text":"%s"}]}}\n' "$(pem_json)"
summary="gave up: key $LEAK_ANT, Bearer $LEAK_BEARER, $LEAK_AWS_ID / AWS_SECRET_ACCESS_KEY=$LEAK_AWS_SECRET2, $LEAK_JWT, https://u:$LEAK_URL_PASS@h.example, MY_SERVICE_KEY=$LEAK_KEY_VAL, GITLAB_TOKEN=$LEAK_TOKEN_VAL, CLIENT_SECRET=$LEAK_SECRET_VAL, $LEAK_OPENAI"
printf '{"type":"result","subtype":"error_during_execution","is_error":true,"result":"%s","num_turns":1}\n' "$summary"
# the last words on stderr, the way a crashing CLI prints them (the crash-loop tail ends here)
echo "Error: upstream exploded: $summary" >&2
all >&2
printf '{"\\u0061pi_key": "%s"}\n' "$LEAK_ESC_VAL" >&2
printf 'DEPLOY_TO' >&2; sleep 0.2; printf 'KEN=%s\n' "$LEAK_SPLIT_VAL" >&2
pem_text >&2
printf -- '-----BEGIN OPENSSH PRIVATE KEY-----\n' >&2; printf '%s\n' $LEAK_PEM2_BODY >&2; printf -- '-----END OPENSSH PRIVATE KEY-----\n' >&2
exit 1

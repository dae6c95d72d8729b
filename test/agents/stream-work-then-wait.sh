#!/usr/bin/env bash
# stream-work-then-wait.sh — fake agent in Claude Code's stream-json: a tool call (Bash) with usage, a message
# carrying a terminal escape (ESC]0; retitles a terminal, ESC[2J clears it), then waits until the file
# $RELEASE_FILE exists, then the final result with its totals and cost, and exits 0. For the progress line.
cat > /dev/null
m='"type":"message","role":"assistant","model":"claude-sonnet-5"'
echo '{"type":"system","subtype":"init","session_id":"s1","model":"claude-sonnet-5"}'
echo "{\"type\":\"assistant\",\"message\":{\"id\":\"msg_1\",$m,\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"Bash\",\"input\":{\"command\":\"make test\"}}],\"usage\":{\"input_tokens\":1200,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":9000,\"output_tokens\":300}}}"
echo "{\"type\":\"assistant\",\"message\":{\"id\":\"msg_2\",$m,\"content\":[{\"type\":\"text\",\"text\":\"tests pass \\u001b]0;pwned\\u0007\\u001b[2Jnow committing\"}],\"usage\":{\"input_tokens\":100,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":10500,\"output_tokens\":40}}}"
while [ ! -e "${RELEASE_FILE:?}" ]; do sleep 0.1; done
echo '{"type":"result","subtype":"success","is_error":false,"num_turns":2,"result":"done","total_cost_usd":0.0523,"usage":{"input_tokens":1300,"cache_creation_input_tokens":0,"cache_read_input_tokens":19500,"output_tokens":340}}'

#!/usr/bin/env bash
# work-on-rounds.sh — fake agent: commits two lines in the rounds listed in COMMIT_ROUNDS, leaves a new
# (untracked) three-line file in those listed in DIRTY_ROUNDS, and changes nothing in the others; in the rounds
# listed in DONE_ROUNDS it also says it is done (the DONE file in $AGENT_RUNNER_STATE_DIR). Exits 0 always.
r=${AGENT_RUNNER_ROUND:-0}
case " ${COMMIT_ROUNDS:-} " in
  *" $r "*) printf 'round %s\nmore\n' "$r" >> work.txt && git add work.txt && git commit -q -m "round $r" ;;
esac
case " ${DIRTY_ROUNDS:-} " in
  *" $r "*) printf 'a\nb\nc\n' > "new-$r.txt" ;;
esac
case " ${DONE_ROUNDS:-} " in
  *" $r "*) : > "$AGENT_RUNNER_STATE_DIR/DONE" ;;
esac
echo "work-on-rounds.sh: round $r"
exit 0

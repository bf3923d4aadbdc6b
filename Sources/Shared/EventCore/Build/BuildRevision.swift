// The git revision compiled in. Committed as "unknown"; scripts/version.sh rewrites this line with the checkout's
// revision and marks the file skip-worktree, so the rewrite never shows in `git status` nor lands in a commit.
// To commit a change to this file, run `git update-index --no-skip-worktree` on it first.
let buildRevision = "unknown"

#!/usr/bin/env bash
# Compiles the git revision into the binaries: rewrites Sources/Shared/EventCore/Build/BuildRevision.swift with
# `git describe --always --dirty --abbrev=12` (or EVENTGRPC_GIT_REVISION when set, for builds without .git such as
# the image), only when it changed, so an unchanged revision costs no rebuild. The file is committed with the
# fallback "unknown" and marked skip-worktree here, so the rewrite neither shows in `git status` nor makes the
# revision itself "-dirty". Called by `make build`, scripts/run.sh, scripts/test.sh and the Dockerfile.
# Prints the revision.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
FILE=Sources/Shared/EventCore/Build/BuildRevision.swift

revision=${EVENTGRPC_GIT_REVISION:-}
if [[ -z "$revision" ]]; then
    if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
        git update-index --skip-worktree "$FILE" 2> /dev/null || true
        revision=$(git describe --always --dirty --abbrev=12 2> /dev/null || echo unknown)
    else
        revision=unknown
    fi
fi
if ! [[ "$revision" =~ ^[A-Za-z0-9._+-]{1,64}$ ]]; then
    echo "version.sh: revision \"$revision\" must be 1-64 letters, digits or ._+- (set EVENTGRPC_GIT_REVISION)" >&2
    exit 2
fi

content="// The git revision compiled in. Committed as \"unknown\"; scripts/version.sh rewrites this line with the checkout's
// revision and marks the file skip-worktree, so the rewrite never shows in \`git status\` nor lands in a commit.
// To commit a change to this file, run \`git update-index --no-skip-worktree\` on it first.
let buildRevision = \"$revision\""
if [[ ! -f "$FILE" ]] || [[ "$(cat "$FILE")" != "$content" ]]; then
    printf '%s\n' "$content" > "$FILE"
fi
echo "$revision"

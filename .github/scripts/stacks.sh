#!/usr/bin/env bash
# The stacks of the repository: one per Pulumi.<stack>.yaml file in the root, as GitHub Actions
# step outputs (append them to "$GITHUB_OUTPUT"):
#   stacks=<a JSON list of the names, sorted, for fromJSON in a job's strategy.matrix>
#   count=<how many>
# With a stack name as its argument, it prints the same for that stack alone, and checks that
# stack only (a stray file elsewhere must not block rotate-now during a leak): a stack name, not
# rotation-<name>, with a stack file. Without one, it refuses a file whose stack name cannot name
# the stack's GitHub environments (<stack> and rotation-<stack>), and more stacks than one matrix
# can run. Errors are workflow commands on stderr: the runner reads commands from stderr too
# (actions/runner src/Runner.Worker/Handlers/ScriptHandler.cs), and stdout may be $GITHUB_OUTPUT.
# Plain bash: no node, no jq, nothing installed.
set -euo pipefail
export LC_ALL=C
shopt -s nullglob
# A stack name (pulumi's sdk/go/common/tokens/stack_name.go: letters, digits, -, _ and .) that is
# also an environment name here (letters, digits, - and _, 100 at most with "rotation-").
STACK_NAME='^[A-Za-z0-9_-]{1,91}$'

# Sets name to the stack a Pulumi.<stack>.yaml file names (no subshell: up to 256 files).
stack_of() {
    name=${1#Pulumi.}
    name=${name%.yaml}
}

# Stops on a stack named rotation-<x>: its deploy environment would be stack <x>'s rotation environment.
refuse_reserved() {
    local lower=${1,,}
    if [ "${lower#rotation-}" != "$lower" ]; then
        printf '::error title=Reserved stack name::Pulumi.%s.yaml names a stack that starts with rotation-: its deploy environment would be stack %s'"'"'s rotation environment; rename it.\n' "$1" "${1:9}" >&2
        exit 1
    fi
}

if [ "$#" -gt 0 ]; then
    wanted=$1
    # The stacks a message may list: the files whose names pass the rule.
    valid=()
    for file in Pulumi.*.yaml; do
        stack_of "$file"
        if [[ $name =~ $STACK_NAME ]]; then
            valid+=("$name")
        fi
    done
    if ! [[ $wanted =~ $STACK_NAME ]]; then
        printf '::error title=Not a stack name::The stack given is not a stack name of this repository (1 to 91 letters, digits, - and _); the stacks are: %s\n' "${valid[*]:-none}" >&2
        exit 1
    fi
    refuse_reserved "$wanted"
    if ! [ -f "Pulumi.$wanted.yaml" ]; then
        printf '::error title=No such stack::There is no stack file Pulumi.%s.yaml in the repository'"'"'s root; the stacks are: %s\n' "$wanted" "${valid[*]:-none}" >&2
        exit 1
    fi
    printf 'stacks=["%s"]\n' "$wanted"
    printf 'count=1\n'
    exit 0
fi
# GitHub: "A matrix will generate a maximum of 256 jobs per workflow run."
max=256
names=()
for file in Pulumi.*.yaml; do
    stack_of "$file"
    if ! [[ $name =~ $STACK_NAME ]]; then
        # Printed with what a workflow command could read as markup replaced.
        printf '::error title=Not a stack name::%s is not a stack file this repository can deploy: the name between "Pulumi." and ".yaml" must be 1 to 91 letters, digits, - and _ (it names the GitHub environments <stack> and rotation-<stack>); rename it or move it out of the root.\n' "${file//[^A-Za-z0-9._ -]/?}" >&2
        exit 1
    fi
    refuse_reserved "$name"
    for seen in "${names[@]}"; do
        # GitHub environment names ignore case: two such stacks would share their environments.
        if [ "${seen,,}" = "${name,,}" ]; then
            printf '::error title=Stacks differ only in case::Pulumi.%s.yaml and Pulumi.%s.yaml would share the GitHub environments %s and rotation-%s (GitHub ignores case in environment names); rename one.\n' "$seen" "$name" "$name" "$name" >&2
            exit 1
        fi
    done
    names+=("$name")
done
if [ "${#names[@]}" -gt "$max" ]; then
    printf '::error title=Too many stacks::%s Pulumi.<stack>.yaml files, and one GitHub Actions matrix runs at most %s jobs; split the stacks across repositories.\n' "${#names[@]}" "$max" >&2
    exit 1
fi
list=""
for name in "${names[@]}"; do
    list="$list${list:+,}\"$name\""
done
printf 'stacks=[%s]\n' "$list"
printf 'count=%s\n' "${#names[@]}"

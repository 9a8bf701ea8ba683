#!/usr/bin/env bash
# Run durabench on the nodes of the current kubectl context and print the comparison:
#   scripts/k8s/run-fleet.sh            a hostPath directory on each node (durabench-measure-hostpath.yaml)
#   scripts/k8s/run-fleet.sh --block    a block volume per pod (durabench-measure-block.yaml)
# Applies the scripts and the reports claim, the measure Job, waits for every node, then runs the
# analyze Job and prints its log (the comparison in Markdown; the files stay on the reports volume).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
variant=hostpath
[ "${1:-}" = --block ] && variant=block
kubectl delete job durabench-measure durabench-analyze --ignore-not-found --wait=true
kubectl apply -f "$here/durabench-common.yaml"
kubectl apply -f "$here/durabench-measure-$variant.yaml"
if ! kubectl wait --for=condition=complete job/durabench-measure --timeout="${DURABENCH_TIMEOUT:-3600s}"; then
  echo "durabench fleet: the measure Job did not complete; its pods:" >&2
  kubectl get pods -l job-name=durabench-measure -o wide >&2
  exit 1
fi
kubectl apply -f "$here/durabench-analyze.yaml"
kubectl wait --for=condition=complete job/durabench-analyze --timeout=600s
kubectl logs job/durabench-analyze

#!/usr/bin/env -S node --max-semi-space-size=2
// A small young generation keeps the per-block garbage of a transfer in the CPU cache:
// measured on a 1 GiB loopback download, ~20% less CPU and ~20 MB less peak RSS.
import '../dist/src/cli/main.js'

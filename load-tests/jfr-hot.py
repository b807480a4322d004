#!/usr/bin/env python3
"""Hot spots of a JFR recording: the most sampled methods, from jdk.ExecutionSample.

  load-tests/jfr-hot.py recording.jfr [--top 25] [--thread vert.x-eventloop] [--prefix io.pulsarproxy]

Prints, per thread group (thread names with their numbers cut off), the samples each group took, then the methods
most often on top of the stack (self time) and the methods most often anywhere on the stack (total time, counted
once per sample), both as a share of all samples. --prefix adds a list of total time restricted to methods whose
name starts with it (the proxy's own code by default). Needs the JDK's `jfr` tool on the PATH.
"""
import argparse
import collections
import re
import subprocess


def samples(path, depth):
    text = subprocess.run(["jfr", "print", "--stack-depth", str(depth), "--events", "jdk.ExecutionSample", path],
                          check=True, capture_output=True, text=True).stdout
    for block in text.split("jdk.ExecutionSample {")[1:]:
        thread = re.search(r'sampledThread = "([^"]*)"', block)
        frames = re.findall(r"^\s+(\S+)\(.*?\)\s+line:", block, re.M)
        if frames:
            yield (thread.group(1) if thread else "?"), frames


def group(thread):
    return re.sub(r"[-#]?\d+$", "", thread)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("recording")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--thread", default="", help="only threads whose name contains this")
    parser.add_argument("--prefix", default="io.pulsarproxy")
    parser.add_argument("--depth", type=int, default=96)
    args = parser.parse_args()

    threads = collections.Counter()
    self_time = collections.Counter()
    total_time = collections.Counter()
    count = 0
    for thread, frames in samples(args.recording, args.depth):
        threads[group(thread)] += 1
        if args.thread not in thread:
            continue
        count += 1
        self_time[frames[0]] += 1
        for frame in set(frames):
            total_time[frame] += 1
    all_samples = sum(threads.values())
    print("samples: %d in all, %d in threads matching '%s'" % (all_samples, count, args.thread))
    print("\nby thread group:")
    for name, n in threads.most_common(12):
        print("  %6.1f%%  %s" % (100.0 * n / all_samples, name))
    if not count:
        return
    print("\nself (top of stack):")
    for name, n in self_time.most_common(args.top):
        print("  %6.1f%%  %s" % (100.0 * n / count, name))
    print("\ntotal (anywhere on the stack):")
    for name, n in total_time.most_common(args.top):
        print("  %6.1f%%  %s" % (100.0 * n / count, name))
    if args.prefix:
        print("\ntotal, %s.* only:" % args.prefix)
        own = [(name, n) for name, n in total_time.most_common() if name.startswith(args.prefix)]
        for name, n in own[:args.top]:
            print("  %6.1f%%  %s" % (100.0 * n / count, name))


if __name__ == "__main__":
    main()

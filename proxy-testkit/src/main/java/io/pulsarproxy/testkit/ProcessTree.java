package io.pulsarproxy.testkit;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Stops a process together with everything it started, and reads log tails. */
final class ProcessTree {

  private static final Duration FORCED_WAIT = Duration.ofSeconds(15);

  private ProcessTree() {
  }

  /**
   * SIGTERM to a child of this JVM and its descendants, then SIGKILL to whatever is still alive after {@code grace}.
   * Returns whether every process of the tree has exited (waiting at most 15 more seconds after the SIGKILL); when
   * it has, {@link Process#isAlive()} of {@code root} is already false.
   */
  static boolean terminate(Process root, Duration grace) {
    return exitRecorded(root, terminate(root.toHandle(), grace));
  }

  /** SIGKILL to a child of this JVM and all its descendants; as {@link #kill(ProcessHandle, Duration)}. */
  static boolean kill(Process root, Duration wait) {
    return exitRecorded(root, kill(root.toHandle(), wait));
  }

  /**
   * SIGTERM to the process and its descendants, then SIGKILL to whatever is still alive after {@code grace}.
   * Returns whether every process of the tree has exited (waiting at most 15 more seconds after the SIGKILL).
   */
  static boolean terminate(ProcessHandle root, Duration grace) {
    List<ProcessHandle> tree = snapshot(root);
    tree.forEach(ProcessHandle::destroy);
    return awaitExit(tree, grace) || kill(root, FORCED_WAIT);
  }

  /**
   * SIGKILL to the process and all its descendants; waits up to {@code wait} for them to exit and returns whether
   * they all did.
   */
  static boolean kill(ProcessHandle root, Duration wait) {
    List<ProcessHandle> tree = snapshot(root);
    // Descendants first, so none is re-parented and missed while the root dies.
    for (int i = tree.size() - 1; i >= 0; i--) {
      tree.get(i).destroyForcibly();
    }
    return awaitExit(tree, wait);
  }

  /**
   * {@link ProcessHandle#onExit()} completes on a pool thread, which may run before the reaper records the exit
   * status in the {@link Process}: until then {@code Process.isAlive()} is still true. {@code waitFor} returns once
   * the status is recorded, which follows the exit at once.
   */
  private static boolean exitRecorded(Process root, boolean treeExited) {
    if (!treeExited) {
      return false;
    }
    try {
      return root.waitFor(FORCED_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The root followed by its descendants, taken before anything is signalled. */
  private static List<ProcessHandle> snapshot(ProcessHandle root) {
    List<ProcessHandle> tree = new ArrayList<>();
    tree.add(root);
    root.descendants().forEach(tree::add);
    return tree;
  }

  private static boolean awaitExit(List<ProcessHandle> tree, Duration timeout) {
    CompletableFuture<?>[] exits = tree.stream()
        .filter(ProcessHandle::isAlive)
        .map(ProcessHandle::onExit)
        .toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(exits).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return Arrays.stream(exits).allMatch(CompletableFuture::isDone);
    } catch (ExecutionException e) {
      return tree.stream().noneMatch(ProcessHandle::isAlive);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The last {@code lines} lines of a text file (reads at most its last 256 KB), or a note if it is missing. */
  static String tail(Path file, int lines) {
    if (!Files.isRegularFile(file)) {
      return "(no " + file + ")";
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      int size = (int) Math.min(length, 256 * 1024);
      byte[] bytes = new byte[size];
      raf.seek(length - size);
      raf.readFully(bytes);
      String[] all = new String(bytes, StandardCharsets.UTF_8).split("\r?\n");
      int from = Math.max(0, all.length - lines);
      return String.join("\n", Arrays.asList(all).subList(from, all.length));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }
}

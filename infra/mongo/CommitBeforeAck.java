import de.bwaldvogel.mongo.bson.Document;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.h2.mvstore.MVStore;

/**
 * Commit before acknowledge, for the H2 (MVStore) backend of SluiceMongoServer.
 *
 * <p>mongo-java-server 1.47.0's {@code H2Backend} opens its store with {@code MVStore.open(file)}:
 * changes live in memory until MVStore's background writer commits them, about once a second
 * ({@code autoCommitDelay} 1000 ms), and nothing commits on a write. The server acknowledged writes
 * that were still only in memory, so a SIGKILL lost up to the last second of acknowledged writes
 * (issue 9, bug C: job creations whose intake messages were already deleted, checkpoints that went
 * back and ran their steps again). Reproducer: test/integration/mongo-h2-durability.test.ts.
 *
 * <p>What this class does instead:
 *
 * <ul>
 *   <li>Every write command ({@link #isWrite}) runs under a shared lock, and before its reply is sent
 *       the store is committed under the exclusive lock: {@code MVStore.commit()} writes the new
 *       chunk to the file before it returns. A write is therefore in the file (the OS page cache)
 *       before it is acknowledged: it survives a kill of the server process. Concurrent writers'
 *       commits coalesce: the first commit covers every write finished before it, the others find
 *       nothing to store.
 *   <li>The exclusive lock means a commit never happens in the middle of a command, so the file
 *       never holds half of one (a document without its unique-index entry, say). For that reason
 *       MVStore's own background writer is switched off ({@code setAutoCommitDelay(0)}: it committed
 *       and compacted at arbitrary moments); a daemon thread here commits and compacts under the
 *       exclusive lock instead.
 *   <li>A write whose write concern asks for the journal ({@code j: true}, or {@code w: "majority"},
 *       which implies it on a replica set) is also fsynced ({@code MVStore.sync()}, {@code
 *       FileChannel.force}) before it is acknowledged, so it survives a crash of the machine too.
 *       Fsyncs coalesce like commits (group commit): a writer whose commit an fsync that started
 *       after it already covered does not fsync again.
 * </ul>
 *
 * <p>What it can still lose: a write acknowledged without {@code j} (and without {@code w:
 * "majority"}) is in the page cache, not on the disk, until the next fsync: a power loss or kernel
 * crash can lose it (a process kill cannot). A single command that changes more than MVStore's
 * auto-commit buffer (~1 MB of unsaved pages) may be committed partly by MVStore itself before it
 * ends; if the process dies right then, the file holds that part of the unacknowledged command.
 */
final class CommitBeforeAck implements AutoCloseable {
  /** Commands that change the store (lower case); an aggregate does only with $out or $merge. */
  private static final Set<String> WRITES =
      Set.of(
          "insert",
          "update",
          "delete",
          "findandmodify",
          "create",
          "createindexes",
          "drop",
          "dropindexes",
          "dropdatabase",
          "renamecollection",
          "fsync");

  private static final int MAINTENANCE_SECONDS = 10;
  private static final int COMPACT_TARGET_FILL_RATE = 50;
  private static final int COMPACT_WRITE_BYTES = 16 << 20;

  private final MVStore store;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final ScheduledExecutorService maintenance;
  /** A ticket per journaled write, taken after its commit returned. */
  private final AtomicLong tickets = new AtomicLong();
  /** Every ticket up to this one is fsynced. Guarded by {@code syncLock}. */
  private long syncedThrough;
  private final Object syncLock = new Object();

  CommitBeforeAck(MVStore store) {
    this.store = store;
    store.setAutoCommitDelay(0);
    maintenance =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-mvstore-maintenance");
              t.setDaemon(true);
              return t;
            });
    maintenance.scheduleWithFixedDelay(
        this::maintain, MAINTENANCE_SECONDS, MAINTENANCE_SECONDS, TimeUnit.SECONDS);
  }

  static boolean isWrite(String command, Document body) {
    String name = command.toLowerCase(Locale.ROOT);
    if (WRITES.contains(name)) return true;
    if (!name.equals("aggregate") || !(body.get("pipeline") instanceof List<?> stages)) return false;
    for (Object stage : stages) {
      if (stage instanceof Document d && (d.containsKey("$out") || d.containsKey("$merge"))) {
        return true;
      }
    }
    return false;
  }

  /** The write concern asks for the journal: {@code j: true} or {@code w: "majority"}; or fsync. */
  static boolean journaled(String command, Document body) {
    if (command.equalsIgnoreCase("fsync")) return true;
    if (!(body.get("writeConcern") instanceof Document wc)) return false;
    return Boolean.TRUE.equals(wc.get("j")) || "majority".equals(wc.get("w"));
  }

  /**
   * Runs a write command, then commits (and, if {@code journaled}, fsyncs) before returning its
   * reply. Also when the command failed: a failed insert of many documents may have stored some.
   * A failed commit throws, so the client gets an error, never an acknowledgement.
   */
  <T> T write(Supplier<T> command, boolean journaled) {
    lock.readLock().lock();
    try {
      return command.get();
    } finally {
      lock.readLock().unlock();
      commit();
      if (journaled) sync();
    }
  }

  private void commit() {
    lock.writeLock().lock();
    try {
      store.commit();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Group fsync: one force() covers every ticket taken before it started. */
  private void sync() {
    long ticket = tickets.incrementAndGet();
    synchronized (syncLock) {
      if (syncedThrough >= ticket) return;
      long upTo = tickets.get();
      store.sync();
      syncedThrough = upTo;
    }
  }

  /** What MVStore's background writer did, at a command boundary: commit, rewrite sparse chunks. */
  private void maintain() {
    lock.writeLock().lock();
    try {
      if (store.isClosed()) return;
      store.commit();
      if (store.compact(COMPACT_TARGET_FILL_RATE, COMPACT_WRITE_BYTES)) store.commit();
    } catch (RuntimeException e) {
      System.err.println("SluiceMongoServer: MVStore maintenance failed: " + e);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Stops maintenance and waits for writes in flight; the caller then closes the store. */
  @Override
  public void close() {
    maintenance.shutdownNow();
    lock.writeLock().lock();
    try {
      if (!store.isClosed()) {
        store.commit();
        store.sync();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}

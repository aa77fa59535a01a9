namespace Bridge.Fibers;

/// <summary>
/// A bounded FIFO queue between fibers (Eio's <c>Stream</c>), thread-safe across loops. Capacity 0 is a rendezvous:
/// <see cref="Add"/> waits until a taker takes the item. When a writer is blocked on a full stream, the taker that frees
/// a slot inserts the writer's item itself, and the writer is merely woken. A cancelled <c>Add</c> or <c>Take</c>
/// transfers nothing; a transfer that already happened wins over a later cancellation.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class FiberStream<T> : ICancelHook
{
    private readonly Queue<T> _items = new();
    private readonly FiberWaitQueue _readers = new();
    private readonly FiberWaitQueue _writers = new();
    private readonly AddSite _addSite;
    private readonly TakeSite _takeSite;
    private SpinGate _gate;
    private Exception? _closed; // set by CloseAndDrain: every later Add throws it

    /// <summary>Creates a stream holding at most <paramref name="capacity"/> items (Eio <c>Stream.create</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative.</exception>
    public FiberStream(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
        _addSite = new AddSite(this);
        _takeSite = new TakeSite(this);
    }

    /// <summary>The maximum number of buffered items.</summary>
    public int Capacity { get; }

    /// <summary>Items buffered now (always 0 for a rendezvous stream) (Eio <c>Stream.length</c>).</summary>
    public int Count
    {
        get
        {
            _gate.Enter();
            int count = _items.Count;
            _gate.Exit();
            return count;
        }
    }

    /// <summary>True when no item is buffered (Eio <c>Stream.is_empty</c>).</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>
    /// Adds <paramref name="item"/> (Eio <c>Stream.add</c>): hands it to a waiting taker, or buffers it if there is room,
    /// or waits for room. Waiting is cancellable; an add that did not wait does not check cancellation.
    /// </summary>
    /// <exception cref="CancelledException">The fiber is cancelled when the add has to wait.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public WaitAwaiter Add(T item)
    {
        var fiber = FiberContext.Require("FiberStream.Add");
        _gate.Enter();
        if (_closed is { } closed)
        {
            _gate.Exit();
            throw new InvalidOperationException(closed.Message, closed);
        }

        if (_readers.TryDequeue(out var reader))
        {
            WaitBox<T>.Put(reader, item);
            _gate.Exit();
            reader.Resume(null, fiber);
            return default;
        }

        if (_items.Count < Capacity)
        {
            _items.Enqueue(item);
            _gate.Exit();
            return default;
        }

        _gate.Exit();
        fiber.CheckCanWait();
        fiber.Check();
        WaitBox<T>.Put(fiber, item);
        return new WaitAwaiter(_addSite, fiber);
    }

    /// <summary>
    /// Takes the next item (Eio <c>Stream.take</c>), waiting if there is none. Waiting is cancellable; a take that did
    /// not wait does not check cancellation.
    /// </summary>
    /// <exception cref="CancelledException">The fiber is cancelled when the take has to wait.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public WaitAwaiter<T> Take()
    {
        var fiber = FiberContext.Require("FiberStream.Take");
        if (TryTake(out var item, fiber))
        {
            return new WaitAwaiter<T>(item);
        }

        fiber.CheckCanWait();
        fiber.Check();
        return new WaitAwaiter<T>(_takeSite, fiber);
    }

    /// <summary>
    /// Takes an item if one is available now (Eio <c>Stream.take_nonblocking</c>); on a rendezvous stream, only from a
    /// waiting writer. Thread-safe; callable outside fibers.
    /// </summary>
    public bool TryTake(out T item) => TryTake(out item, FiberContext.Running);

    /// <summary><see cref="TryTake(out T)"/> for a caller that knows the running fiber (or that there is none).</summary>
    private bool TryTake(out T item, FiberContext? running)
    {
        FiberContext? writer;
        _gate.Enter();
        if (_items.Count > 0)
        {
            item = _items.Dequeue();
            if (_writers.TryDequeue(out writer))
            {
                _items.Enqueue(WaitBox<T>.Take(writer)); // the taker inserts the blocked writer's item
            }
        }
        else if (_writers.TryDequeue(out writer))
        {
            item = WaitBox<T>.Take(writer);
        }
        else
        {
            _gate.Exit();
            item = default!;
            return false;
        }

        _gate.Exit();
        writer?.Resume(null, running);
        return true;
    }

    /// <summary>
    /// Closes the stream for writers (what Eio's executor pool does to its job queue on release) and takes out every item
    /// already in it — buffered, or offered by a blocked writer, who is then woken as if a taker had taken it. Every
    /// later <see cref="Add"/> throws an <see cref="InvalidOperationException"/> carrying <paramref name="error"/>'s
    /// message. One step under the lock, so no writer on another thread can slip an item in after the drain and wait
    /// for a taker that will never come.
    /// </summary>
    internal List<T> CloseAndDrain(Exception error)
    {
        var drained = new List<T>();
        _gate.Enter();
        _closed = error;
        while (_items.Count > 0)
        {
            drained.Add(_items.Dequeue());
        }

        var writers = _writers.DetachAll();
        for (var writer = writers; writer is not null; writer = writer.WaitNext)
        {
            drained.Add(WaitBox<T>.Take(writer));
        }

        _gate.Exit();
        FiberWaitQueue.ResumeDetached(writers);
        return drained;
    }

    void ICancelHook.Cancel(FiberContext fiber, CancelledException error)
    {
        // Readers wait only while there is nothing to take and writers only while there is no room, so at most one of
        // the two queues is non-empty: if the fiber still waits here, it is in that one.
        _gate.Enter();
        var queue = _readers.IsEmpty ? _writers : _readers;
        bool removed = queue.Remove(fiber);
        if (removed)
        {
            WaitBox<T>.Clear(fiber);
        }

        _gate.Exit();

        if (removed)
        {
            fiber.Resume(error);
        }
    }

    private sealed class AddSite(FiberStream<T> stream) : IWaitSite
    {
        public void Register(FiberContext fiber)
        {
            stream._gate.Enter();
            if (stream._closed is { } closed)
            {
                // Closed between the call and the suspension (another thread): the item goes nowhere.
                stream._gate.Exit();
                WaitBox<T>.Clear(fiber);
                fiber.Resume(new InvalidOperationException(closed.Message, closed));
                return;
            }

            FiberContext? reader;
            if (stream._readers.TryDequeue(out reader))
            {
                WaitBox<T>.Put(reader, WaitBox<T>.Take(fiber));
            }
            else if (stream._items.Count < stream.Capacity)
            {
                stream._items.Enqueue(WaitBox<T>.Take(fiber));
            }
            else
            {
                stream._writers.Enqueue(fiber); // the item stays in the writer's box
                fiber.SetCancelHook(stream);
                stream._gate.Exit();
                return;
            }

            stream._gate.Exit();

            // Room appeared between the call and the suspension (another thread): finish at once.
            reader?.Resume();
            fiber.Resume();
        }
    }

    private sealed class TakeSite(FiberStream<T> stream) : IWaitSite
    {
        public void Register(FiberContext fiber)
        {
            stream._gate.Enter();
            if (stream._items.Count == 0 && stream._writers.IsEmpty)
            {
                stream._readers.Enqueue(fiber);
                fiber.SetCancelHook(stream);
                stream._gate.Exit();
                return;
            }

            stream._gate.Exit();

            // An item arrived between the call and the suspension (another thread): take it and finish at once — or, if
            // another taker got to it first, register again.
            if (stream.TryTake(out var item))
            {
                WaitBox<T>.Put(fiber, item);
                fiber.Resume();
                return;
            }

            Register(fiber);
        }
    }
}

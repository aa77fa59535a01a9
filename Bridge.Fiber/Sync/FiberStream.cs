using System.Runtime.CompilerServices;

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

    // Items travel to and from blocked fibers in boxes (a fiber's wait slot is untyped). A blocked reader and a
    // blocked writer may each hold one, so two spares are kept and a steady hand-off does not allocate.
    private StrongBox<T>? _spareBox;
    private StrongBox<T>? _spareBox2;

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
        if (TryAdd(item))
        {
            return default;
        }

        fiber.Check();
        fiber.WaitSlot = Box(item);
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
        if (TryTake(out var item))
        {
            return new WaitAwaiter<T>(item);
        }

        fiber.Check();
        return new WaitAwaiter<T>(_takeSite, fiber);
    }

    /// <summary>
    /// Takes an item if one is available now (Eio <c>Stream.take_nonblocking</c>); on a rendezvous stream, only from a
    /// waiting writer. Thread-safe; callable outside fibers.
    /// </summary>
    public bool TryTake(out T item)
    {
        FiberContext? writer;
        _gate.Enter();
        if (_items.Count > 0)
        {
            item = _items.Dequeue();
            if (_writers.TryDequeue(out writer))
            {
                _items.Enqueue(((StrongBox<T>)writer.WaitSlot!).Value!); // the taker inserts the blocked writer's item
            }
        }
        else if (_writers.TryDequeue(out writer))
        {
            item = ((StrongBox<T>)writer.WaitSlot!).Value!;
        }
        else
        {
            _gate.Exit();
            item = default!;
            return false;
        }

        _gate.Exit();
        if (writer is not null)
        {
            var box = (StrongBox<T>)writer.WaitSlot!;
            writer.WaitSlot = null;
            Recycle(box);
            writer.Resume();
        }

        return true;
    }

    void ICancelHook.Cancel(FiberContext fiber, object? token, CancelledException error)
    {
        // Find the queue through the fiber's own link, not the token: when another thread has just taken this fiber out
        // and is resuming it, the hook and token can be read half-cleared (hook set, token null).
        _gate.Enter();
        var queue = fiber.WaitQueue;
        bool removed = (queue == _readers || queue == _writers) && queue.Remove(fiber);
        _gate.Exit();
        if (removed)
        {
            if (fiber.WaitSlot is StrongBox<T> box)
            {
                Recycle(box);
            }

            fiber.WaitSlot = null;
            fiber.Resume(error);
        }
    }

    /// <summary>Hands the item to a waiting reader or buffers it; false when the stream is full.</summary>
    private bool TryAdd(T item)
    {
        _gate.Enter();
        if (_readers.TryDequeue(out var reader))
        {
            _gate.Exit();
            ((StrongBox<T>)reader.WaitSlot!).Value = item;
            reader.Resume();
            return true;
        }

        if (_items.Count < Capacity)
        {
            _items.Enqueue(item);
            _gate.Exit();
            return true;
        }

        _gate.Exit();
        return false;
    }

    private StrongBox<T> Box(T item)
    {
        var box = RentBox();
        box.Value = item;
        return box;
    }

    private StrongBox<T> RentBox() =>
        Interlocked.Exchange(ref _spareBox, null) ?? Interlocked.Exchange(ref _spareBox2, null) ?? new StrongBox<T>();

    private void Recycle(StrongBox<T> box)
    {
        box.Value = default!;
        if (Interlocked.CompareExchange(ref _spareBox, box, null) is not null)
        {
            Volatile.Write(ref _spareBox2, box);
        }
    }

    private sealed class AddSite(FiberStream<T> stream) : IWaitSite
    {
        public void Register(FiberContext fiber)
        {
            var box = (StrongBox<T>)fiber.WaitSlot!;
            stream._gate.Enter();
            if (stream._readers.IsEmpty && stream._items.Count >= stream.Capacity)
            {
                stream._writers.Enqueue(fiber, box);
                fiber.SetCancelHook(stream, null);
                stream._gate.Exit();
                return;
            }

            stream._gate.Exit();

            // Room appeared between the call and the suspension (another thread): finish at once.
            fiber.WaitSlot = null;
            T item = box.Value!;
            stream.Recycle(box);
            if (!stream.TryAdd(item))
            {
                fiber.WaitSlot = stream.Box(item);
                Register(fiber);
                return;
            }

            fiber.Resume();
        }
    }

    private sealed class TakeSite(FiberStream<T> stream) : IValueWaitSite<T>
    {
        public void Register(FiberContext fiber)
        {
            while (true)
            {
                if (stream.TryTake(out var item))
                {
                    fiber.WaitSlot = stream.Box(item);
                    fiber.Resume();
                    return;
                }

                var box = stream.RentBox();
                stream._gate.Enter();
                if (stream._items.Count == 0 && stream._writers.IsEmpty)
                {
                    stream._readers.Enqueue(fiber, box);
                    fiber.SetCancelHook(stream, null);
                    stream._gate.Exit();
                    return;
                }

                stream._gate.Exit();
                stream.Recycle(box); // an item arrived meanwhile: take it
            }
        }

        public T TakeValue(FiberContext fiber)
        {
            var box = (StrongBox<T>)fiber.WaitSlot!;
            fiber.WaitSlot = null;
            T value = box.Value!;
            stream.Recycle(box);
            return value;
        }
    }
}

using Bridge.Runtimes;

namespace Bridge.Fibers;

/// <summary>
/// The state of one <see cref="Fiber.Run(Func{Env, ValueTask}, FiberRunOptions?)"/>: its loop, root cancellation context,
/// trace sink and the bookkeeping that lets the loop tell a deadlock from a fiber waiting on foreign work.
/// </summary>
internal sealed class FiberRuntime
{
    [ThreadStatic]
    private static FiberRuntime? t_current;

    private readonly object _traceGate;
    private int _nextFiberId;
    private int _foreignWaits;
    private ExternalOperation? _foreignOperation;
    private List<(FiberContext Fiber, Func<ValueTask> Body)>? _deferredStarts;

    public FiberRuntime(EventLoop loop, Action<string> trace, object traceGate, DomainManager? parentDomains, int domainId)
    {
        Loop = loop;
        ThreadId = Environment.CurrentManagedThreadId;
        Trace = trace;
        _traceGate = traceGate;
        DomainId = domainId;
        RootContext = new CancelContext(this, null, isProtected: false, "root");
        Domains = parentDomains ?? new DomainManager(trace, traceGate);
    }

    /// <summary>The runtime whose loop runs on this thread, or null.</summary>
    public static FiberRuntime? Current
    {
        get => t_current;
        set => t_current = value;
    }

    public EventLoop Loop { get; }

    public int ThreadId { get; }

    public int DomainId { get; }

    public CancelContext RootContext { get; }

    public DomainManager Domains { get; }

    private Action<string> Trace { get; }

    /// <summary>Fibers parked on a foreign await: while there are any, the loop must not call the run a deadlock.</summary>
    public int ForeignWaits
    {
        get => _foreignWaits;
        set
        {
            _foreignWaits = value;
            if (value > 0 && _foreignOperation is null)
            {
                _foreignOperation = Loop.TrackExternalOperation();
            }
            else if (value == 0 && _foreignOperation is not null)
            {
                _foreignOperation.Dispose();
                _foreignOperation = null;
            }
        }
    }

    public int NextFiberId() => ++_nextFiberId;

    /// <summary>
    /// Fibers that no switch waits for (a release hook added after release had begun, still running): the run does not
    /// end before they have finished.
    /// </summary>
    public int DetachedFibers { get; set; }

    /// <summary>
    /// Starts <paramref name="fiber"/> as soon as the current step has ended, ahead of everything queued, and after any
    /// child deferred before it (see <see cref="FiberContext.Start"/>). Loop thread only.
    /// </summary>
    public void DeferStart(FiberContext fiber, Func<ValueTask> body)
    {
        if (_deferredStarts is { Count: > 0 } pending)
        {
            pending.Add((fiber, body));
            return;
        }

        (_deferredStarts ??= []).Add((fiber, body));
        Loop.EnqueueAtHead(static r => ((FiberRuntime)r!).StartDeferred(), this);
    }

    private void StartDeferred()
    {
        var batch = _deferredStarts!;
        _deferredStarts = null; // a child that defers again starts a new batch, queued behind this one
        foreach (var (fiber, body) in batch)
        {
            fiber.Start(body);
        }
    }

    public void CheckThread(string operation)
    {
        if (Environment.CurrentManagedThreadId != ThreadId)
        {
            throw Loop.WrongThread(operation);
        }
    }

    /// <summary>Writes one trace line, atomically across threads (Eio's traceln mutex).</summary>
    public void WriteTrace(string line)
    {
        lock (_traceGate)
        {
            Trace(line);
        }
    }

    /// <summary>What the deadlock message lists: every fiber still alive, and what it waits for.</summary>
    public IEnumerable<string> DescribeFibers()
    {
        foreach (var fiber in RootContext.Fibers())
        {
            string state = fiber.HasCancelHook ? "blocked in a Bridge primitive"
                : fiber.IsSuspended ? "suspended" : "runnable";
            yield return $"{fiber} ({state}, cancellation context '{fiber.CancelContext.Purpose}')";
        }
    }
}

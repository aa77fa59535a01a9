namespace Bridge.Promises;

/// <summary>
/// Cancellation as Lwt does it: a backward search along the current "how to cancel" edges that marks every
/// reachable cancelable pending promise rejected with <see cref="PromiseCanceledException"/> (each once), then an
/// ordinary forward run of the collected callbacks, last found first. Iterative, so long chains cannot overflow.
/// </summary>
internal sealed class CancelSearch
{
    /// <summary>Edge value meaning "this promise itself is cancelable" (Lwt <c>Cancel_this_promise</c>).</summary>
    internal static readonly object CancelThis = new();

    private readonly Stack<object> _pending = new();
    private readonly List<(IPromiseNode Node, object Head)> _collected = new();
    private PromiseCanceledException? _exception;
    private HashSet<object>? _visited;

    internal PromiseCanceledException Exception => _exception ??= new();

    internal static void Cancel(IPromiseNode root)
    {
        if (!root.NeedsCancelSearch())
        {
            return; // resolved, or not cancelable: nothing to do, nothing to allocate
        }

        var search = new CancelSearch();
        search.Follow(root);
        while (search._pending.TryPop(out var next))
        {
            ((IPromiseNode)next).CancelStep(search);
        }

        var collected = search._collected;
        for (int i = collected.Count - 1; i >= 0; i--)
        {
            collected[i].Node.RunCollected(collected[i].Head);
        }
    }

    /// <summary>Schedules a visit of <paramref name="edge"/> (a promise, or an array of promises visited left to right).</summary>
    internal void Follow(object? edge)
    {
        switch (edge)
        {
            case null:
                return;
            case IPromiseNode node:
                _pending.Push(node);
                return;
            case IPromiseNode[] nodes:
                for (int i = nodes.Length - 1; i >= 0; i--)
                {
                    _pending.Push(nodes[i]);
                }

                return;
        }
    }

    /// <summary>
    /// False when <paramref name="promise"/> was already visited. Edges can form cycles (a bind function returning a
    /// promise that depends on the bind's own result); Lwt would loop forever on them, the search stops instead.
    /// </summary>
    internal bool Visit(object promise) => (_visited ??= new HashSet<object>(ReferenceEqualityComparer.Instance)).Add(promise);

    internal void Collect(IPromiseNode node, object? head)
    {
        if (head is not null)
        {
            _collected.Add((node, head));
        }
    }
}

using Bridge.Promises;

namespace Bridge.Benchmarks.Promises;

/// <summary>Promise side of the benchmarks; each method does <c>n</c> operations and must run on a loop.</summary>
public static class PromiseWorkloads
{
    private static readonly Promise<int> s_resolved = Promise.FromResult(1);
    private static readonly Func<int, Promise<int>> s_next = static _ => s_resolved;

    public static void CreateBindResolve(int n)
    {
        for (int i = 0; i < n; i++)
        {
            var (p, r) = Promise.Create<int>();
            p.Bind(s_next);
            r.Resolve(i);
        }
    }

    public static void BindOnResolved(int n)
    {
        var p = s_resolved;
        for (int i = 0; i < n; i++)
        {
            p.Bind(s_next);
        }
    }

    public static void PickOfTwo(int n)
    {
        for (int i = 0; i < n; i++)
        {
            var (a, ra) = Promise.Create<int>();
            var (b, _) = Promise.Create<int>();
            Promise.Pick(a, b);
            ra.Resolve(i);
        }
    }

    public static void JoinOfTen(int n)
    {
        var resolvers = new Resolver<Unit>[10];
        var promises = new Promise<Unit>[10];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < 10; k++)
            {
                (promises[k], resolvers[k]) = Promise.Create<Unit>();
            }

            Promise.Join(promises);
            for (int k = 0; k < 10; k++)
            {
                resolvers[k].Resolve(default);
            }
        }
    }

    public static void StreamPushGet(int n)
    {
        var (stream, push) = PromiseStream.Create<int>();
        var consumed = 0;
        Action<(bool, int)>? onItem = null;
        onItem = _ =>
        {
            if (++consumed < n)
            {
                stream.Get().OnSuccess(onItem!);
            }
        };

        stream.Get().OnSuccess(onItem);
        for (int i = 0; i < n; i++)
        {
            push.Push(i);
        }

        if (consumed != n)
        {
            throw new InvalidOperationException($"consumed {consumed} of {n}");
        }
    }

    private static Promise<Unit> Chain(int n) => n == 0 ? Promise.Unit : Promise.Unit.Bind(_ => Chain(n - 1));

    public static void RecursiveChain(int n)
    {
        if (Chain(n).State != PromiseState.Fulfilled)
        {
            throw new InvalidOperationException("chain did not complete");
        }
    }

    public static void Cascade(int n)
    {
        var (p, r) = Promise.Create<int>();
        var q = p;
        for (int i = 0; i < n; i++)
        {
            q = q.Map(static x => x + 1);
        }

        r.Resolve(0);
        if (q.Result != n)
        {
            throw new InvalidOperationException("cascade did not complete");
        }
    }
}

using System.Threading.Channels;

namespace Bridge.Benchmarks.Promises;

/// <summary>The .NET baselines: TaskCompletionSource + ContinueWith(ExecuteSynchronously), Task.WhenAny/WhenAll, Channel.</summary>
public static class TaskWorkloads
{
    private static readonly Task<int> s_resolved = Task.FromResult(1);
    private static readonly Func<Task<int>, int> s_next = static t => t.Result + 1;

    public static void CreateBindResolve(int n)
    {
        for (int i = 0; i < n; i++)
        {
            var tcs = new TaskCompletionSource<int>();
            tcs.Task.ContinueWith(s_next, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            tcs.SetResult(i);
        }
    }

    public static void BindOnResolved(int n)
    {
        for (int i = 0; i < n; i++)
        {
            s_resolved.ContinueWith(s_next, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    public static void WhenAnyOfTwo(int n)
    {
        for (int i = 0; i < n; i++)
        {
            var a = new TaskCompletionSource<int>();
            var b = new TaskCompletionSource<int>();
            Task.WhenAny(a.Task, b.Task);
            a.SetResult(i);
        }
    }

    public static void WhenAllOfTen(int n)
    {
        var sources = new TaskCompletionSource[10];
        var tasks = new Task[10];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < 10; k++)
            {
                sources[k] = new TaskCompletionSource();
                tasks[k] = sources[k].Task;
            }

            Task.WhenAll(tasks);
            for (int k = 0; k < 10; k++)
            {
                sources[k].SetResult();
            }
        }
    }

    public static void ChannelWriteRead(int n)
    {
        var channel = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = true });
        var consumed = 0;
        Action<Task<int>>? onItem = null;
        void Next()
        {
            var t = channel.Reader.ReadAsync();
            if (t.IsCompleted)
            {
                _ = t.Result;
                OnItem();
            }
            else
            {
                t.AsTask().ContinueWith(onItem!, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        void OnItem()
        {
            if (++consumed < n)
            {
                Next();
            }
        }

        onItem = _ => OnItem();
        Next();
        for (int i = 0; i < n; i++)
        {
            channel.Writer.TryWrite(i);
        }

        if (consumed != n)
        {
            throw new InvalidOperationException($"consumed {consumed} of {n}");
        }
    }
}

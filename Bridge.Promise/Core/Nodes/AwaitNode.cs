using Bridge.Runtimes;

namespace Bridge.Promises;

/// <summary>An awaiting continuation: queued on its loop (or posted to its context) when the promise resolves.</summary>
internal sealed class AwaitNode<T>(Action continuation, EventLoop? loop, SynchronizationContext? context) : ICallback<T>
{
    private static readonly Action<object?> s_run = static state => ((Action)state!)();
    private static readonly SendOrPostCallback s_post = static state => ((Action)state!)();

    public ICallback<T>? Next { get; set; }

    public void Invoke(Promise<T> source, PromiseRuntime rt) => Schedule();

    internal void Schedule()
    {
        if (loop is not null)
        {
            if (loop.IsOnLoopThread)
            {
                loop.Enqueue(s_run, continuation);
            }
            else
            {
                loop.Post(s_run, continuation);
            }
        }
        else if (context is not null)
        {
            context.Post(s_post, continuation);
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(static c => c(), continuation, preferLocal: false);
        }
    }
}

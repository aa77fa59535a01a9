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
            if (loop.TryEnqueueOrPost(s_run, continuation))
            {
                return;
            }

            // The awaiting code's loop has been disposed: its continuation still runs, on the thread pool, rather than
            // being dropped or throwing into whoever resolved the promise (they have nothing to do with that loop).
        }
        else if (context is not null)
        {
            context.Post(s_post, continuation);
            return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static c => c(), continuation, preferLocal: false);
    }
}

using Bridge.Runtimes;

namespace Bridge.Runtimes.Tests;

/// <summary>Helpers shared by the kernel tests.</summary>
internal static class TestLoops
{
    /// <summary>A loop on virtual time with strict deadlock detection: nothing in a test waits in real time.</summary>
    public static EventLoop Virtual(string name = "test", Action<Exception>? unhandled = null)
        => new(new EventLoopOptions { VirtualTime = true, Name = name, UnhandledException = unhandled });

    /// <summary>Runs <paramref name="body"/> as the loop's first item and pumps until <paramref name="done"/>.</summary>
    public static void RunOn(this EventLoop loop, Action body, Func<bool> done)
    {
        loop.Enqueue(_ => body(), null);
        loop.RunUntil(done);
    }

    /// <summary>Starts <paramref name="main"/> on the loop and pumps until its task completes; returns the task.</summary>
    public static Task RunTask(this EventLoop loop, Func<Task> main)
    {
        Task? task = null;
        loop.Enqueue(_ => task = main(), null);
        loop.RunUntil(() => task is { IsCompleted: true });
        return task!;
    }

    /// <summary>Runs <paramref name="body"/> on a new thread and waits for it, rethrowing its exception.</summary>
    public static void OnOtherThread(Action body)
    {
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
    }
}

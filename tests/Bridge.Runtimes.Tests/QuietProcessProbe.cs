using Bridge.Runtimes;

namespace Bridge.Runtimes.Tests;

/// <summary>
/// Scenarios for <see cref="DeadlockDetectionMode.WhenProcessQuiet"/> run in a fresh child process: the test host keeps
/// system timers and thread-pool work of its own alive, so inside it the process never looks quiet.
/// Each scenario prints one line "name: result".
/// </summary>
public static class QuietProcessProbe
{
    public static int Main(string[] args)
    {
        if (args is not ["--quiet-probe"])
        {
            Console.Error.WriteLine("usage: Bridge.Runtimes.Tests --quiet-probe");
            return 2;
        }

        Report("quiet", Quiet);
        Report("pool", BusyPool);
        Report("timer", ActiveSystemTimer);
        Report("external", ExternalOperation);
        return 0;
    }

    private static void Report(string name, Func<string> scenario)
    {
        string result;
        try
        {
            result = scenario();
        }
        catch (Exception e)
        {
            result = $"{e.GetType().Name}: {e.Message.Split('\n')[0]}";
        }

        Console.WriteLine($"{name}: {result}");
    }

    private static string Outcome(EventLoop loop, Func<bool> done)
    {
        try
        {
            loop.RunUntil(done);
            return "done";
        }
        catch (DeadlockException)
        {
            return "deadlock";
        }
    }

    /// <summary>Nothing anywhere can wake the loop: reported.</summary>
    private static string Quiet()
    {
        using var loop = new EventLoop(new EventLoopOptions { Name = "quiet" });
        return Outcome(loop, () => false);
    }

    /// <summary>Thread-pool work is running: the loop waits for it; once the pool is idle again, the deadlock is reported.</summary>
    private static string BusyPool()
    {
        using var loop = new EventLoop(new EventLoopOptions { Name = "pool" });
        bool done = false;
        var work = Task.Run(() =>
        {
            SpinWait.SpinUntil(() => loop.IdleWaits >= 3);
            loop.Post(_ => done = true, null);
        });
        string first = Outcome(loop, () => done);
        work.GetAwaiter().GetResult();
        SpinWait.SpinUntil(() => ThreadPool.PendingWorkItemCount == 0);
        return $"{first}, then {Outcome(loop, () => false)}";
    }

    /// <summary>An active system timer might post: the loop waits; once it is disposed, the deadlock is reported.</summary>
    private static string ActiveSystemTimer()
    {
        using var loop = new EventLoop(new EventLoopOptions { Name = "timer" });
        var timer = new Timer(_ => { }, null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);
        long waitsBeforeDispose = 0;
        var watcher = new Thread(() =>
        {
            SpinWait.SpinUntil(() => loop.IdleWaits >= 3);
            waitsBeforeDispose = loop.IdleWaits;
            timer.Dispose();
        });
        watcher.Start();
        string outcome = Outcome(loop, () => false);
        watcher.Join();
        return $"{outcome} after {(waitsBeforeDispose >= 3 ? "waiting" : "not waiting")}";
    }

    /// <summary>A tracked external operation keeps the loop waiting even in a quiet process.</summary>
    private static string ExternalOperation()
    {
        using var loop = new EventLoop(new EventLoopOptions { Name = "external" });
        var operation = loop.TrackExternalOperation();
        bool done = false;
        var worker = new Thread(() =>
        {
            SpinWait.SpinUntil(() => loop.IsWaitingForWork);
            loop.Post(_ => done = true, null);
            operation.Dispose();
        });
        worker.Start();
        string outcome = Outcome(loop, () => done);
        worker.Join();
        return outcome;
    }
}

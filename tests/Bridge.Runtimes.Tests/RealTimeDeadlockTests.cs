using Bridge.Runtimes;

namespace Bridge.Runtimes.Tests;

/// <summary>
/// <see cref="DeadlockDetectionMode.WhenProcessQuiet"/> looks at process-wide counters (system timers, thread-pool
/// work), so these tests must not run beside others.
/// </summary>
[CollectionDefinition(nameof(ProcessQuietCollection), DisableParallelization = true)]
public sealed class ProcessQuietCollection;

[Collection(nameof(ProcessQuietCollection))]
public class RealTimeDeadlockTests
{
    private static readonly TimeSpan Watchdog = TimeSpan.FromSeconds(20);

    /// <summary>Runs the loop on its own thread so that a missed detection fails the test instead of hanging it.</summary>
    private static Exception? RunGuarded(EventLoop loop, Func<bool> done)
    {
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                loop.RunUntil(done);
            }
            catch (Exception e)
            {
                error = e;
            }
        }) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(Watchdog), "the loop neither finished nor reported a deadlock");
        return error;
    }

    [Fact]
    public void In_a_quiet_process_deadlocks_are_reported_and_pool_work_timers_and_external_operations_are_waited_for()
    {
        var assembly = typeof(QuietProcessProbe).Assembly.Location;
        // The test host normally runs under the dotnet muxer; otherwise (an apphost test host) use the one on PATH.
        string host = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new System.Diagnostics.ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("--quiet-probe");
        using var child = System.Diagnostics.Process.Start(start)!;
        var output = child.StandardOutput.ReadToEndAsync();
        var errors = child.StandardError.ReadToEndAsync();
        if (!child.WaitForExit(Watchdog))
        {
            child.Kill(entireProcessTree: true);
            Assert.Fail("the probe process neither finished nor reported its deadlocks");
        }

        var lines = output.GetAwaiter().GetResult().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(child.ExitCode == 0, errors.GetAwaiter().GetResult());
        Assert.Equal(
            ["quiet: deadlock", "pool: done, then deadlock", "timer: deadlock after waiting", "external: done"],
            lines);
    }

    [Fact]
    public void An_active_system_timer_keeps_an_idle_real_time_loop_waiting_instead_of_reporting()
    {
        // WhenProcessQuiet errs on the side of waiting: any live system timer might still post to the loop.
        using var systemTimer = new Timer(_ => { }, null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);
        var loop = new EventLoop(new EventLoopOptions { Name = "host" });
        bool done = false;
        var poster = new Thread(() =>
        {
            SpinWait.SpinUntil(() => loop.IdleWaits >= 3);
            loop.Post(_ => done = true, null);
        }) { IsBackground = true };
        poster.Start();
        Assert.Null(RunGuarded(loop, () => done));
        loop.Dispose();
    }

    [Fact]
    public void No_deadlock_while_thread_pool_work_runs()
    {
        var loop = new EventLoop(new EventLoopOptions { Name = "pool" });
        bool done = false;
        var release = new ManualResetEventSlim();
        var work = Task.Run(() =>
        {
            // Keep a pool thread busy until the loop has looked at the process several times.
            release.Wait();
            loop.Post(_ => done = true, null);
        });
        var watcher = new Thread(() =>
        {
            SpinWait.SpinUntil(() => loop.IdleWaits >= 3);
            release.Set();
        }) { IsBackground = true };
        watcher.Start();
        var error = RunGuarded(loop, () => done);
        Assert.Null(error);
        Assert.True(done);
        work.GetAwaiter().GetResult();
        loop.Dispose();
    }

    [Fact]
    public void No_deadlock_while_an_external_operation_is_tracked_on_real_time()
    {
        var loop = new EventLoop(new EventLoopOptions { Name = "external" });
        var operation = loop.TrackExternalOperation();
        bool done = false;
        var worker = new Thread(() =>
        {
            SpinWait.SpinUntil(() => loop.IdleWaits >= 1);
            loop.Post(_ => done = true, null);
            operation.Dispose();
        }) { IsBackground = true };
        worker.Start();
        Assert.Null(RunGuarded(loop, () => done));
        loop.Dispose();
    }
}

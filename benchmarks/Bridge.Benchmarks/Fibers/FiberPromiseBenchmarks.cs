using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Bridge.Benchmarks.Fibers;

/// <summary>
/// One million waiters on one promise: suspending them (the allocation column is the bytes kept per waiter) and resuming
/// them all, per waiter; fibers on a <c>FiberPromise</c> vs async Tasks on a <c>TaskCompletionSource</c>. Each category
/// has its own baseline.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class FiberPromiseBenchmarks
{
    private const int Waiters = 1_000_000;
    private FiberPromiseHerd? _fibers;
    private TaskPromiseHerd? _tasks;

    /// <summary>Starts the two long-lived loop threads.</summary>
    [GlobalSetup]
    public void Start()
    {
        _fibers = new FiberPromiseHerd(Waiters);
        _tasks = new TaskPromiseHerd(Waiters);
    }

    /// <summary>Stops them.</summary>
    [GlobalCleanup]
    public void Stop()
    {
        _fibers?.Dispose();
        _tasks?.Dispose();
    }

    /// <summary>Suspends the task waiters resumed by <see cref="TaskResumeAll"/> (untimed).</summary>
    [IterationSetup(Target = nameof(TaskResumeAll))]
    public void SuspendTasks() => _tasks!.Suspend();

    /// <summary>Suspends the fibers resumed by <see cref="FiberResumeAll"/> (untimed).</summary>
    [IterationSetup(Target = nameof(FiberResumeAll))]
    public void SuspendFibers() => _fibers!.Suspend();

    /// <summary>Lets the waiters of the suspend benchmarks finish (untimed).</summary>
    [IterationCleanup(Targets = [nameof(TaskSuspend), nameof(FiberSuspend)])]
    public void ResumeSuspended()
    {
        _tasks!.ResumeAll();
        _fibers!.ResumeAll();
    }

    /// <summary>Baseline: 1M async Tasks start awaiting one TaskCompletionSource.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Waiters)]
    [BenchmarkCategory("Suspend")]
    public void TaskSuspend() => _tasks!.Suspend();

    /// <summary>1M fibers are forked and suspend on one FiberPromise.</summary>
    [Benchmark(OperationsPerInvoke = Waiters)]
    [BenchmarkCategory("Suspend")]
    public void FiberSuspend() => _fibers!.Suspend();

    /// <summary>Baseline: TaskCompletionSource.SetResult resumes 1M async Tasks.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Waiters)]
    [BenchmarkCategory("Resume")]
    public void TaskResumeAll() => _tasks!.ResumeAll();

    /// <summary>Resolving the FiberPromise resumes 1M fibers, which then finish.</summary>
    [Benchmark(OperationsPerInvoke = Waiters)]
    [BenchmarkCategory("Resume")]
    public void FiberResumeAll() => _fibers!.ResumeAll();
}

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
    private IPromiseHerd? _herd;

    /// <summary>Suspends the task waiters resumed by <see cref="TaskResumeAll"/> (untimed).</summary>
    [IterationSetup(Target = nameof(TaskResumeAll))]
    public void SuspendTaskHerd() => (_herd = new TaskPromiseHerd(Waiters)).Suspend();

    /// <summary>Suspends the fibers resumed by <see cref="FiberResumeAll"/> (untimed).</summary>
    [IterationSetup(Target = nameof(FiberResumeAll))]
    public void SuspendFiberHerd() => (_herd = new FiberPromiseHerd(Waiters)).Suspend();

    /// <summary>Lets the waiters of the suspend benchmarks finish (untimed).</summary>
    [IterationCleanup(Targets = [nameof(TaskSuspend), nameof(FiberSuspend)])]
    public void ReleaseHerd()
    {
        _herd?.ResumeAll();
        _herd = null;
    }

    /// <summary>Baseline: 1M async Tasks start awaiting one TaskCompletionSource.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Waiters)]
    [BenchmarkCategory("Suspend")]
    public void TaskSuspend() => (_herd = new TaskPromiseHerd(Waiters)).Suspend();

    /// <summary>1M fibers are forked and suspend on one FiberPromise.</summary>
    [Benchmark(OperationsPerInvoke = Waiters)]
    [BenchmarkCategory("Suspend")]
    public void FiberSuspend() => (_herd = new FiberPromiseHerd(Waiters)).Suspend();

    /// <summary>Baseline: TaskCompletionSource.SetResult resumes 1M async Tasks.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Waiters)]
    [BenchmarkCategory("Resume")]
    public void TaskResumeAll() => _herd!.ResumeAll();

    /// <summary>Resolving the FiberPromise resumes 1M fibers, which then finish.</summary>
    [Benchmark(OperationsPerInvoke = Waiters)]
    [BenchmarkCategory("Resume")]
    public void FiberResumeAll() => _herd!.ResumeAll();
}

using BenchmarkDotNet.Attributes;

namespace Bridge.Benchmarks.Fibers;

/// <summary>Fork + completion of a fiber that yields once, on a switch, vs starting an async Task that yields once; per fiber.</summary>
[MemoryDiagnoser]
public class FiberForkBenchmarks
{
    private const int Count = 100_000;
    private const int PerSwitch = 1000;

    /// <summary>Baseline: async Task methods started in waves on the baseline context.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Count)]
    public void TaskStartYieldOnce() => FiberWorkloads.TaskStartYieldOnce(Count, PerSwitch);

    /// <summary>Fibers forked in waves, each wave on its own switch.</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    public void FiberForkYieldOnce() => FiberWorkloads.FiberForkYieldOnce(Count, PerSwitch);

    /// <summary>The same, with the forked bodies built by the opt-in FiberMethodBuilder.</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    public void FiberForkYieldOnceOptIn() => FiberWorkloads.FiberForkYieldOnceOptIn(Count, PerSwitch);
}

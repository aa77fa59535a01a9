using BenchmarkDotNet.Attributes;

namespace Bridge.Benchmarks.Fibers;

/// <summary><c>await Fiber.Yield()</c> vs <c>await Task.Yield()</c> on the AsyncEx-style single-thread context, per yield.</summary>
[MemoryDiagnoser]
public class FiberYieldBenchmarks
{
    private const int Yields = 200_000;

    /// <summary>Fibers (or tasks) yielding in turn.</summary>
    [Params(2, 1000)]
    public int Fibers { get; set; }

    /// <summary>Baseline: async Task methods yielding on the baseline context.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Yields)]
    public void TaskYield() => FiberWorkloads.TaskYield(Fibers, Yields / Fibers);

    /// <summary>Fibers on one switch yielding.</summary>
    [Benchmark(OperationsPerInvoke = Yields)]
    public void FiberYield() => FiberWorkloads.FiberYield(Fibers, Yields / Fibers);

    /// <summary>The same fibers with bodies built by the opt-in FiberMethodBuilder.</summary>
    [Benchmark(OperationsPerInvoke = Yields)]
    public void FiberYieldOptIn() => FiberWorkloads.FiberYieldOptIn(Fibers, Yields / Fibers);
}

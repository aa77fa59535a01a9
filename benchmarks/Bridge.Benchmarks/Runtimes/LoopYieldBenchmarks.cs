using BenchmarkDotNet.Attributes;

namespace Bridge.Benchmarks.Runtimes;

/// <summary><c>await Task.Yield()</c> ping-pong between two async methods on one loop thread, per yield.</summary>
[MemoryDiagnoser]
public class LoopYieldBenchmarks
{
    private const int YieldsEach = 200_000;

    [Benchmark(Baseline = true, OperationsPerInvoke = 2 * YieldsEach)]
    public void BlockingCollectionContext() => LoopWorkloads.BaselineYield(YieldsEach);

    [Benchmark(OperationsPerInvoke = 2 * YieldsEach)]
    public void EventLoop() => LoopWorkloads.OursYield(YieldsEach);
}

using BenchmarkDotNet.Attributes;

namespace Bridge.Benchmarks.Runtimes;

/// <summary><c>EventLoop.Enqueue</c> + dispatch of a pre-allocated work item on the loop thread, per item.</summary>
[MemoryDiagnoser]
public class LoopEnqueueBenchmarks
{
    private const int Items = 1_000_000;
    private LoopWorkloads.EnqueueRig _ours = null!;
    private LoopWorkloads.BlockingCollectionRig _baseline = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ours = new LoopWorkloads.EnqueueRig();
        _baseline = new LoopWorkloads.BlockingCollectionRig();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ours.Dispose();
        _baseline.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Items)]
    public void BlockingCollectionAddTake() => _baseline.Run(Items);

    [Benchmark(OperationsPerInvoke = Items)]
    public void EventLoopEnqueue() => _ours.Run(Items);
}

using BenchmarkDotNet.Attributes;

namespace Bridge.Benchmarks.Runtimes;

/// <summary>Cross-thread <c>EventLoop.Post</c> throughput, one producer thread → loop, against the AsyncEx-style baseline.</summary>
[MemoryDiagnoser]
public class LoopPostBenchmarks
{
    private const int Posts = 200_000;

    /// <summary>True: the loop has other work and never sleeps; false: it sleeps when caught up and posts must wake it.</summary>
    [Params(true, false)]
    public bool LoopBusy { get; set; }

    private LoopWorkloads.PostRig _ours = null!;
    private LoopWorkloads.BaselinePostRig _baseline = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ours = new LoopWorkloads.PostRig();
        _baseline = new LoopWorkloads.BaselinePostRig();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ours.Dispose();
        _baseline.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Posts)]
    public void BlockingCollectionContext() => _baseline.Run(Posts, LoopBusy);

    [Benchmark(OperationsPerInvoke = Posts)]
    public void EventLoopPost() => _ours.Run(Posts, LoopBusy);
}

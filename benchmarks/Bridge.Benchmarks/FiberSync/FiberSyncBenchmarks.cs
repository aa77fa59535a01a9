using BenchmarkDotNet.Attributes;

namespace Bridge.Benchmarks.FiberSync;

/// <summary>FiberStream and FiberMutex against System.Threading.Channels and SemaphoreSlim, each on a Bridge loop.</summary>
[MemoryDiagnoser]
public class FiberStreamBenchmarks
{
    private const int Items = 100_000;

    [Benchmark(Baseline = true, OperationsPerInvoke = Items)]
    public void ChannelBounded1() => FiberSyncWorkloads.ChannelPingPong(Items);

    [Benchmark(OperationsPerInvoke = Items)]
    public void FiberStreamCapacity1() => FiberSyncWorkloads.StreamPingPong(Items);

    [Benchmark(OperationsPerInvoke = Items)]
    public void FiberStreamCapacity1OptIn() => FiberSyncWorkloads.StreamPingPongOptIn(Items);
}

/// <summary>Uncontended FiberMutex lock+unlock against SemaphoreSlim.WaitAsync+Release.</summary>
[MemoryDiagnoser]
public class FiberMutexBenchmarks
{
    private const int Ops = 1_000_000;

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    public void SemaphoreSlim() => FiberSyncWorkloads.SemaphoreSlimUncontended(Ops);

    [Benchmark(OperationsPerInvoke = Ops)]
    public void FiberMutex() => FiberSyncWorkloads.MutexUncontended(Ops);
}

using BenchmarkDotNet.Attributes;

namespace Bridge.Benchmarks.Runtimes;

/// <summary>
/// Start + fire 1 000 000 loop timers on virtual time (distinct deadlines, shuffled), per timer. The baseline is the
/// floor: a bare priority queue doing the same ordering with no loop, clock or cancellation.
/// </summary>
[MemoryDiagnoser]
public class LoopTimerBenchmarks
{
    private const int Timers = 1_000_000;
    private long[] _deadlines = null!;

    [GlobalSetup]
    public void Setup() => _deadlines = LoopWorkloads.ShuffledDeadlines(Timers);

    [Benchmark(Baseline = true, OperationsPerInvoke = Timers)]
    public void PriorityQueueFloor() => LoopWorkloads.BaselineTimers(_deadlines);

    [Benchmark(OperationsPerInvoke = Timers)]
    public void EventLoopVirtualTimers() => LoopWorkloads.OursTimers(_deadlines);
}

using BenchmarkDotNet.Attributes;
using Bridge.Promises;
using Bridge.Runtimes;

namespace Bridge.Benchmarks.Promises;

/// <summary>
/// Core promise costs against TaskCompletionSource + ContinueWith(ExecuteSynchronously). Each benchmark does
/// <see cref="Ops"/> operations inside one loop turn (promises are loop-thread objects).
/// Run: <c>dotnet run -c Release --project benchmarks/Bridge.Benchmarks -- --filter '*PromiseBindBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class PromiseBindBenchmarks
{
    private const int Ops = 10_000;
    private EventLoop _loop = null!;

    [GlobalSetup]
    public void Setup() => _loop = new EventLoop(new EventLoopOptions { Name = "bench", VirtualTime = true });

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    public void TaskCompletionSourceContinueWith() => TaskWorkloads.CreateBindResolve(Ops);

    [Benchmark(OperationsPerInvoke = Ops)]
    public void CreateBindResolve() => OnLoop(PromiseWorkloads.CreateBindResolve);

    [Benchmark(OperationsPerInvoke = Ops)]
    public void TaskContinueWithOnCompleted() => TaskWorkloads.BindOnResolved(Ops);

    [Benchmark(OperationsPerInvoke = Ops)]
    public void BindOnResolved() => OnLoop(PromiseWorkloads.BindOnResolved);

    private void OnLoop(Action<int> body) => Promise.Run(_loop, () =>
    {
        body(Ops);
        return Promise.Unit;
    });
}

/// <summary>Pick of 2 and Join of 10 against Task.WhenAny / Task.WhenAll on completion sources.</summary>
[MemoryDiagnoser]
public class PromiseCombinatorBenchmarks
{
    private const int Ops = 2_000;
    private EventLoop _loop = null!;

    [GlobalSetup]
    public void Setup() => _loop = new EventLoop(new EventLoopOptions { Name = "bench", VirtualTime = true });

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    public void TaskWhenAnyOfTwo() => TaskWorkloads.WhenAnyOfTwo(Ops);

    [Benchmark(OperationsPerInvoke = Ops)]
    public void PickOfTwo() => OnLoop(PromiseWorkloads.PickOfTwo);

    [Benchmark(OperationsPerInvoke = Ops)]
    public void TaskWhenAllOfTen() => TaskWorkloads.WhenAllOfTen(Ops);

    [Benchmark(OperationsPerInvoke = Ops)]
    public void JoinOfTen() => OnLoop(PromiseWorkloads.JoinOfTen);

    private void OnLoop(Action<int> body) => Promise.Run(_loop, () =>
    {
        body(Ops);
        return Promise.Unit;
    });
}

/// <summary>PromiseStream push then get against an unbounded single-reader/single-writer Channel.</summary>
[MemoryDiagnoser]
public class PromiseStreamBenchmarks
{
    private const int Ops = 100_000;
    private EventLoop _loop = null!;

    [GlobalSetup]
    public void Setup() => _loop = new EventLoop(new EventLoopOptions { Name = "bench", VirtualTime = true });

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    public void UnboundedChannel() => TaskWorkloads.ChannelWriteRead(Ops);

    [Benchmark(OperationsPerInvoke = Ops)]
    public void PushGet() => Promise.Run(_loop, () =>
    {
        PromiseWorkloads.StreamPushGet(Ops);
        return Promise.Unit;
    });
}

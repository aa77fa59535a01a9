using Bridge.Runtimes;
using Bridge.Tasks;

// Ordinary Task code on one Bridge loop thread, on virtual time: the "hour" below passes instantly,
// every continuation resumes on the same thread, and TaskLoop.Join waits without deadlocking.
var options = new EventLoopOptions { Name = "sample", VirtualTime = true };
int result = TaskLoop.Run(async () =>
{
    var loop = EventLoop.Current!;
    int thread = Environment.CurrentManagedThreadId;

    var ticks = new List<string>();
    async Task Ticker(string name, TimeSpan period, int count)
    {
        for (int i = 1; i <= count; i++)
        {
            await Task.Delay(period, loop.Time);
            ticks.Add($"{loop.Elapsed.TotalMinutes,4}m {name} #{i} (same thread: {Environment.CurrentManagedThreadId == thread})");
        }
    }

    await Task.WhenAll(Ticker("fast", TimeSpan.FromMinutes(15), 4), Ticker("slow", TimeSpan.FromMinutes(30), 2));
    ticks.ForEach(Console.WriteLine);

    // Blocking on work that needs this very thread would deadlock under Task.Wait; Join pumps the loop instead.
    // (After an await, TaskScheduler.Current is Default again, as on a UI thread: name the loop's scheduler explicitly.)
    var needsTheLoop = Task.Factory.StartNew(() => 6 * 7, CancellationToken.None, TaskCreationOptions.None, TaskScheduler.FromCurrentSynchronizationContext());
    return TaskLoop.Join(needsTheLoop);
}, options);

Console.WriteLine($"answer {result}, after one virtual hour that took no real time");

// The same loop kernel runs Eio-style fibers: Fiber.Both interleaves two fibers at each Yield, exactly as Eio prints it.
Bridge.Fibers.Fiber.RunMock(async _ =>
{
    await Bridge.Fibers.Fiber.Both(
        async () => { for (int x = 1; x <= 3; x++) { Bridge.Fibers.Trace.Line($"x = {x}"); await Bridge.Fibers.Fiber.Yield(); } },
        async () => { for (int y = 1; y <= 3; y++) { Bridge.Fibers.Trace.Line($"y = {y}"); await Bridge.Fibers.Fiber.Yield(); } });
    Bridge.Fibers.Trace.Line("mock clock: sleeping 5 s");
    await Bridge.Fibers.Time.Sleep(TimeSpan.FromSeconds(5));
}, new Bridge.Fibers.FiberRunOptions { Trace = line => Console.WriteLine("+" + line) });

// ... and Lwt-style promises: callbacks run synchronously on the resolver's stack, last registered first.
var log = new List<string>();
int sum = Bridge.Promises.Promise.Run(() =>
{
    var (p, resolver) = Bridge.Promises.Promise.Create<int>();
    p.OnSuccess(v => log.Add($"first registered sees {v}"));
    p.OnSuccess(v => log.Add($"last registered sees {v}"));
    var doubled = p.Map(v => v * 2);
    resolver.Resolve(21);
    log.Add("after Resolve returned");
    return doubled;
});
log.ForEach(Console.WriteLine);
Console.WriteLine($"promise result {sum}");

using Bridge.Fibers;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.Sync;

/// <summary>
/// An async method called without being awaited at once can leave its fiber parked on a wait while the caller goes on
/// running in the same fiber. A second wait started then is a usage error: it must throw a clear
/// <see cref="InvalidOperationException"/> into the caller (it used to escape from the awaiter's OnCompleted and end the
/// process), and the first wait must still complete normally.
/// </summary>
public class ConcurrentAwaitTests
{
    private static async ValueTask<string> Attempt(Func<ValueTask> operation)
    {
        try
        {
            await operation();
            return "completed";
        }
        catch (InvalidOperationException e) when (e.Message.Contains("two awaits are pending", StringComparison.Ordinal))
        {
            return "rejected";
        }
    }

    [Fact]
    public void A_second_wait_in_a_parked_fiber_throws_and_the_first_still_completes()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var first = new FiberStream<int>(0);
            var stream = new FiberStream<int>(0);
            var mutex = new FiberMutex();
            await mutex.Lock();
            var sem = new FiberSemaphore(0);
            var cond = new FiberCondition();
            var (promise, resolver) = FiberPromise.Create<int>();
            var pool = new FiberPool<int>(1, () => ValueTask.FromResult(1));
            await Switch.Run(async sw =>
            {
                F.Fork(sw, () => pool.Use(async _ => await F.Yield())); // holds the only resource for a while
                async ValueTask<int> TakeFirst() => await first.Take();
                var pending = TakeFirst(); // parks this fiber
                Line($"stream add: {await Attempt(async () => await stream.Add(1))}");
                Line($"stream take: {await Attempt(async () => await stream.Take())}");
                Line($"mutex lock: {await Attempt(async () => await mutex.Lock())}");
                Line($"semaphore acquire: {await Attempt(async () => await sem.Acquire())}");
                Line($"condition await: {await Attempt(() => cond.Await(mutex))}");
                Line($"condition await without mutex: {await Attempt(async () => await cond.AwaitNoMutex())}");
                Line($"loop without mutex: {await Attempt(() => cond.LoopNoMutex(() => false))}");
                Line($"pool use: {await Attempt(() => pool.Use(_ => ValueTask.CompletedTask))}");
                Line($"promise await: {await Attempt(async () => await promise)}");
                Line($"yield: {await Attempt(async () => await F.Yield())}");
                Line($"sleep: {await Attempt(async () => await Time.Sleep(TimeSpan.FromSeconds(1)))}");
                Line($"mutex still held: {mutex.IsLocked}, stream empty: {stream.IsEmpty}");
                F.Fork(sw, async () => await first.Add(42));
                Line($"first: {await pending}");
                resolver.Resolve(1);
                Line($"resolved promise: {await Attempt(async () => await promise)}");
            });
        });
        Assert.Equal(
            [
                "stream add: rejected", "stream take: rejected", "mutex lock: rejected", "semaphore acquire: rejected",
                "condition await: rejected", "condition await without mutex: rejected", "loop without mutex: rejected",
                "pool use: rejected", "promise await: rejected", "yield: rejected", "sleep: rejected",
                "mutex still held: True, stream empty: True", "first: 42", "resolved promise: completed",
            ],
            trace);
    }

    [Fact]
    public void A_switch_body_that_returns_with_an_unawaited_wait_pending_fails_the_switch_clearly()
    {
        // The switch cannot park its fiber to wait for the children while an un-awaited wait holds it: a clear error to
        // the caller (it used to be thrown from OnCompleted, which ends the process), the children cancelled.
        var trace = TraceRun.Mock(async _ =>
        {
            var never = new FiberStream<int>(0);
            try
            {
                await Switch.Run(sw =>
                {
                    F.Fork(sw, async () =>
                    {
                        try
                        {
                            await Time.Sleep(TimeSpan.FromSeconds(10));
                            Line("child finished");
                        }
                        catch (CancelledException)
                        {
                            Line("child cancelled");
                            throw;
                        }
                    });
                    async ValueTask<int> Pending() => await never.Take();
                    var pending = Pending(); // parks this fiber, and is never awaited
                    return ValueTask.CompletedTask;
                });
            }
            catch (InvalidOperationException e) when (e.Message.Contains("two awaits are pending", StringComparison.Ordinal))
            {
                Line("switch: rejected");
            }

            Line("main goes on"); // still parked on the un-awaited take: it can wait for nothing else, but it can finish
        });
        Assert.Equal(["switch: rejected", "main goes on", "child cancelled"], trace);
    }

    [Fact]
    public void A_first_whose_last_branch_leaves_an_unawaited_wait_pending_fails_clearly()
    {
        // Fiber.First runs its last branch in the calling fiber and then waits for the forked ones: the same misuse as
        // above, the same clear error, the forked branch cancelled.
        var trace = TraceRun.Mock(async _ =>
        {
            var never = new FiberStream<int>(0);
            try
            {
                await F.First<int>(
                    async () =>
                    {
                        try
                        {
                            await Time.Sleep(TimeSpan.FromSeconds(10));
                            Line("forked branch finished");
                            return 1;
                        }
                        catch (CancelledException)
                        {
                            Line("forked branch cancelled");
                            throw;
                        }
                    },
                    () =>
                    {
                        async ValueTask<int> Pending() => await never.Take();
                        var pending = Pending(); // parks the calling fiber, and is never awaited
                        throw new InvalidOperationException("last branch failed");
                    });
            }
            catch (InvalidOperationException e) when (e.Message.Contains("two awaits are pending", StringComparison.Ordinal))
            {
                Line("first: rejected");
            }

            Line("main goes on");
        });
        Assert.Equal(["first: rejected", "main goes on", "forked branch cancelled"], trace);
    }

    [Fact]
    public void An_awaiter_taken_before_the_fiber_was_parked_elsewhere_throws_when_awaited()
    {
        // The wait was started (its awaiter created) while the fiber was free, then an un-awaited call parked the fiber:
        // awaiting it must report the misuse, not park the fiber twice from OnCompleted (which ended the process).
        var trace = TraceRun.Mock(async _ =>
        {
            var stream = new FiberStream<int>(0);
            var mutex = new FiberMutex();
            await mutex.Lock();
            var take = stream.Take();
            var add = stream.Add(1);
            var lockAgain = mutex.Lock();
            async ValueTask Other() => await F.Yield();
            var pending = Other(); // parks this fiber
            Line($"take: {await Attempt(async () => await take)}");
            Line($"add: {await Attempt(async () => await add)}");
            Line($"lock: {await Attempt(async () => await lockAgain)}");
            await pending;
            Line("pending yield finished");
        });
        Assert.Equal(["take: rejected", "add: rejected", "lock: rejected", "pending yield finished"], trace);
    }
}

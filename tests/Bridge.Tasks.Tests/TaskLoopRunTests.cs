using Bridge.Runtimes;

namespace Bridge.Tasks.Tests;

public class TaskLoopRunTests
{
    [Fact]
    public void Run_returns_the_result_and_leaves_no_loop_behind()
    {
        var outer = SynchronizationContext.Current;
        int result = TaskLoop.Run(async () =>
        {
            await Task.Yield();
            return 42;
        }, Virtual.Options());
        Assert.Equal(42, result);
        Assert.Null(EventLoop.Current);
        Assert.Same(outer, SynchronizationContext.Current);
    }

    [Fact]
    public void Run_sets_the_loop_context_and_scheduler()
    {
        TaskLoop.Run(async () =>
        {
            var loop = EventLoop.Current;
            Assert.NotNull(loop);
            Assert.IsType<LoopSynchronizationContext>(SynchronizationContext.Current);
            var scheduler = Assert.IsType<LoopTaskScheduler>(TaskScheduler.Current);
            Assert.Same(loop, scheduler.Loop);
            await Task.Yield();
            Assert.Same(loop, EventLoop.Current);
        }, Virtual.Options());
    }

    [Fact]
    public void After_an_await_TaskScheduler_Current_is_Default_and_the_context_scheduler_reaches_the_loop()
    {
        int thread = Environment.CurrentManagedThreadId;
        int ranOn = TaskLoop.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromMinutes(1), Virtual.Clock);
            Assert.Same(TaskScheduler.Default, TaskScheduler.Current);
            var onLoop = Task.Factory.StartNew(() => Environment.CurrentManagedThreadId, CancellationToken.None,
                TaskCreationOptions.None, TaskScheduler.FromCurrentSynchronizationContext());
            return TaskLoop.Join(onLoop);
        }, Virtual.Options());
        Assert.Equal(thread, ranOn);
    }

    [Fact]
    public void Every_awaited_continuation_resumes_on_the_loop_thread()
    {
        int thread = Environment.CurrentManagedThreadId;
        var seen = new List<(string, int)>();
        TaskLoop.Run(async () =>
        {
            void Note(string what) => seen.Add((what, Environment.CurrentManagedThreadId));
            Note("start");
            await Task.Yield();
            Note("yield");
            await Task.Delay(TimeSpan.FromSeconds(1), Virtual.Clock);
            Note("delay");
            var tcs = new TaskCompletionSource<int>();
            var completer = new Thread(() => tcs.SetResult(1));
            using (EventLoop.Current!.TrackExternalOperation())
            {
                completer.Start();
                await tcs.Task;
            }

            Note("tcs completed on another thread");
            await Task.Run(() => 5);
            Note("Task.Run");
            await Task.Factory.StartNew(() => { }, CancellationToken.None, TaskCreationOptions.None, TaskScheduler.Default);
            Note("StartNew on the pool");
            await foreach (var _ in Numbers())
            {
                Note("await foreach");
            }

            await new ValueTask(Task.Run(() => { }));
            Note("ValueTask");
            completer.Join();
        });

        Assert.Equal(9, seen.Count);
        Assert.All(seen, s => Assert.Equal(thread, s.Item2));

        static async IAsyncEnumerable<int> Numbers()
        {
            await Task.Yield();
            yield return 1;
            await Task.Run(() => { });
            yield return 2;
        }
    }

    [Fact]
    public void Run_returns_only_after_async_void_work_ends()
    {
        var trace = new List<string>();
        TaskLoop.Run(() =>
        {
            Background("a", 2);
            Background("b", 1);
            trace.Add("main done");
            return Task.CompletedTask;
        }, Virtual.Options());
        Assert.Equal(["main done", "b@1", "a@2"], trace);

        async void Background(string name, int hours)
        {
            await Task.Delay(TimeSpan.FromHours(hours), Virtual.Clock);
            trace.Add($"{name}@{EventLoop.Current!.Elapsed.TotalHours}");
        }
    }

    [Fact]
    public void Synchronous_Run_waits_for_async_void_work_and_posts()
    {
        var trace = new List<string>();
        TaskLoop.Run(() =>
        {
            SynchronizationContext.Current!.Post(_ => trace.Add("posted"), null);
            Background();
            trace.Add("main");
        }, Virtual.Options());
        Assert.Equal(["main", "posted", "async void"], trace);

        async void Background()
        {
            await Task.Delay(TimeSpan.FromMinutes(1), Virtual.Clock);
            trace.Add("async void");
        }
    }

    [Fact]
    public void Async_void_exception_surfaces_from_Run()
    {
        var e = Assert.Throws<FormatException>(() => TaskLoop.Run(async () =>
        {
            Fail();
            await Task.Delay(TimeSpan.FromSeconds(1), Virtual.Clock);
        }, Virtual.Options()));
        Assert.Equal("from async void", e.Message);

        static async void Fail()
        {
            await Task.Yield();
            throw new FormatException("from async void");
        }
    }

    [Fact]
    public void Async_void_exception_after_main_completed_surfaces_from_Run()
    {
        var e = Assert.Throws<FormatException>(() => TaskLoop.Run(() =>
        {
            Fail();
            return Task.CompletedTask;
        }, Virtual.Options()));
        Assert.Equal("late", e.Message);

        static async void Fail()
        {
            await Task.Delay(TimeSpan.FromHours(1), Virtual.Clock);
            throw new FormatException("late");
        }
    }

    [Fact]
    public void Failing_main_surfaces_immediately_while_async_void_work_is_pending()
    {
        bool backgroundFinished = false;
        var e = Assert.Throws<FormatException>(() => TaskLoop.Run(async () =>
        {
            Background();
            await Task.Yield();
            throw new FormatException("main failed");
        }, Virtual.Options()));
        Assert.Equal("main failed", e.Message);
        Assert.False(backgroundFinished);

        async void Background()
        {
            await Task.Delay(TimeSpan.FromDays(1), Virtual.Clock);
            backgroundFinished = true;
        }
    }

    [Fact]
    public void Failing_main_surfaces_unmasked_while_other_work_is_still_queued()
    {
        int spins = 0;
        var e = Assert.Throws<FormatException>(() => TaskLoop.Run(async () =>
        {
            Spinner();
            await Task.Yield();
            throw new FormatException("main failed");
        }, Virtual.Options()));
        Assert.Equal("main failed", e.Message);
        Assert.True(spins < 1000);

        async void Spinner()
        {
            for (int i = 0; i < 1000; i++)
            {
                await Task.Yield();
                spins++;
            }
        }
    }

    [Fact]
    public void Cancelled_main_surfaces_as_cancellation()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => TaskLoop.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1), Virtual.Clock, cts.Token);
        }, Virtual.Options()));
    }

    [Fact]
    public void Main_awaiting_a_never_completed_TaskCompletionSource_is_a_deadlock_naming_the_main_task()
    {
        var never = new TaskCompletionSource();
        var e = Assert.Throws<DeadlockException>(() => TaskLoop.Run(async () => await never.Task, Virtual.Options("main-stuck")));
        Assert.Contains("main task", e.Message);
        Assert.Contains("TaskCompletionSource", e.Message);
        Assert.Contains("'main-stuck'", e.Message);
    }

    [Fact]
    public void Never_finishing_async_void_is_a_deadlock_naming_it()
    {
        var never = new TaskCompletionSource();
        var e = Assert.Throws<DeadlockException>(() => TaskLoop.Run(() =>
        {
            Stuck();
            return Task.CompletedTask;
        }, Virtual.Options()));
        Assert.Contains("1 async void method(s)", e.Message);

        async void Stuck() => await never.Task;
    }

    [Fact]
    public void No_deadlock_while_the_main_task_waits_on_a_timer_or_a_tracked_operation()
    {
        int value = TaskLoop.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromDays(30), Virtual.Clock);
            var tcs = new TaskCompletionSource<int>();
            var operation = EventLoop.Current!.TrackExternalOperation();
            var worker = new Thread(() =>
            {
                tcs.SetResult(7);
                operation.Dispose();
            });
            worker.Start();
            int result = await tcs.Task;
            worker.Join();
            return result;
        }, Virtual.Options());
        Assert.Equal(7, value);
    }

    [Fact]
    public void Nested_Run_throws()
    {
        Exception? nested = null;
        TaskLoop.Run(() =>
        {
            nested = Record.Exception(() => TaskLoop.Run(() => Task.CompletedTask));
            return Task.CompletedTask;
        }, Virtual.Options("outer"));
        var e = Assert.IsType<InvalidOperationException>(nested);
        Assert.Contains("'outer'", e.Message);
        Assert.Contains("TaskLoop.Join", e.Message);
    }

    [Fact]
    public void Nested_Run_inside_a_plain_EventLoop_run_throws()
    {
        using var loop = new EventLoop(Virtual.Options());
        Exception? nested = null;
        loop.Enqueue(_ => nested = Record.Exception(() => TaskLoop.Run(() => { })), null);
        loop.RunUntil(() => nested is not null);
        Assert.IsType<InvalidOperationException>(nested);
    }

    [Fact]
    public void Run_rejects_null()
    {
        Assert.Throws<ArgumentNullException>(() => TaskLoop.Run((Func<Task>)null!));
        Assert.Throws<ArgumentNullException>(() => TaskLoop.Run((Func<Task<int>>)null!));
        Assert.Throws<ArgumentNullException>(() => TaskLoop.Run((Action)null!));
    }

    [Fact]
    public void Run_on_real_time_with_pool_work_completes()
    {
        int thread = Environment.CurrentManagedThreadId;
        int resumed = TaskLoop.Run(async () =>
        {
            await Task.Run(() => { });
            return Environment.CurrentManagedThreadId;
        });
        Assert.Equal(thread, resumed);
    }

    [Fact]
    public void ConfigureAwait_false_then_a_loop_only_call_gives_the_clear_exception()
    {
        var e = Assert.Throws<InvalidOperationException>(() => TaskLoop.Run(async () =>
        {
            var loop = EventLoop.Current!;
            await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            loop.Enqueue(_ => { }, null);
        }));
        Assert.Contains("EventLoop.Enqueue", e.Message);
        Assert.Contains("ConfigureAwait(false)", e.Message);
        Assert.Contains("SwitchTo", e.Message);
    }

    [Fact]
    public void Async_void_work_started_by_items_still_queued_when_main_completes_is_awaited_too()
    {
        var trace = new List<string>();
        TaskLoop.Run(() =>
        {
            EventLoop.Current!.Enqueue(_ => Late(), null);
            trace.Add("main done");
            return Task.CompletedTask;
        }, Virtual.Options());
        Assert.Equal(["main done", "late async void started", "late async void done"], trace);

        async void Late()
        {
            trace.Add("late async void started");
            await Task.Delay(TimeSpan.FromMinutes(1), Virtual.Clock);
            trace.Add("late async void done");
        }
    }

    [Fact]
    public void Work_that_requeues_itself_forever_after_main_completes_is_reported_not_a_hang()
    {
        var e = Assert.Throws<InvalidOperationException>(() => TaskLoop.Run(() =>
        {
            _ = Forever();
            return Task.CompletedTask;
        }, Virtual.Options()));
        Assert.Contains("still queued", e.Message);

        static async Task Forever()
        {
            while (true)
            {
                await Task.Yield();
            }
        }
    }

    [Fact]
    public void Posted_work_still_queued_when_main_completes_runs_before_Run_returns()
    {
        var trace = new List<string>();
        TaskLoop.Run(() =>
        {
            var loop = EventLoop.Current!;
            for (int i = 0; i < 3; i++)
            {
                loop.Enqueue(s => trace.Add((string)s!), $"item {i}");
            }

            return Task.CompletedTask;
        }, Virtual.Options());
        Assert.Equal(["item 0", "item 1", "item 2"], trace);
    }
}

using Bridge.Fibers;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.Sync;

/// <summary>FiberStream: Eio's stream.md behaviours, plus capacity, ordering and cancellation rules.</summary>
public class StreamTests
{
    private static async ValueTask Add(FiberStream<int> t, int v)
    {
        Line($"Adding {v} to stream");
        await t.Add(v);
        Line($"Added {v} to stream");
    }

    private static async ValueTask Take(FiberStream<int> t)
    {
        Line("Reading from stream");
        Line($"Got {await t.Take()} from stream");
    }

    private static void TakeNonblocking(FiberStream<int> t)
    {
        Line("Reading from stream");
        Line(t.TryTake(out int v) ? $"Got {v} from stream" : "Got None from stream");
    }

    [Fact]
    public void Negative_capacity_is_rejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new FiberStream<int>(-1));
        Assert.Equal("capacity", e.ParamName);
        Assert.Equal(0, new FiberStream<int>(0).Capacity);
    }

    [Fact]
    public void Adds_and_takes_that_fit_never_block()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(2);
            await Add(t, 1);
            await Add(t, 2);
            Line($"Count {t.Count}");
            await Take(t);
            await Take(t);
            Line($"Count {t.Count}, empty {t.IsEmpty}");
        });
        Assert.Equal(
            [
                "Adding 1 to stream", "Added 1 to stream", "Adding 2 to stream", "Added 2 to stream", "Count 2",
                "Reading from stream", "Got 1 from stream", "Reading from stream", "Got 2 from stream", "Count 0, empty True",
            ],
            trace);
    }

    [Fact]
    public void Closing_drains_buffered_and_offered_items_and_later_adds_throw()
    {
        // The executor pool's job queue on release: one step takes out every item (the blocked writer finishes as if
        // taken), and no later writer can wait for a taker that will never come.
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(1);
            await Add(t, 1);
            await Switch.Run(async sw =>
            {
                F.Fork(sw, () => Add(t, 2)); // blocks: the stream is full
                Line($"Drained [{string.Join(", ", t.CloseAndDrain(new InvalidOperationException("Stream closed")))}]");
                await F.Yield();
            });
            try
            {
                await Add(t, 3);
            }
            catch (InvalidOperationException e)
            {
                Line($"Add after close: {e.Message}");
            }

            Line($"Count {t.Count}");
        });
        Assert.Equal(
            [
                "Adding 1 to stream", "Added 1 to stream", "Adding 2 to stream", "Drained [1, 2]", "Added 2 to stream",
                "Adding 3 to stream", "Add after close: Stream closed", "Count 0",
            ],
            trace);
    }

    [Fact]
    public void Readers_wait_when_the_stream_is_empty()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(2);
            await Add(t, 1);
            await F.Both(
                async () =>
                {
                    await Take(t);
                    await Take(t);
                },
                () => Add(t, 2));
        });
        Assert.Equal(
            [
                "Adding 1 to stream", "Added 1 to stream", "Reading from stream", "Got 1 from stream", "Reading from stream",
                "Adding 2 to stream", "Added 2 to stream", "Got 2 from stream",
            ],
            trace);
    }

    [Fact]
    public void Writers_wait_when_full_and_the_taker_inserts_their_item()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(3);
            await Add(t, 1);
            await F.Both(
                async () =>
                {
                    await Add(t, 2);
                    await Add(t, 3);
                    await Add(t, 4);
                },
                async () =>
                {
                    for (int i = 0; i < 4; i++)
                    {
                        await Take(t);
                    }
                });
        });
        Assert.Equal(
            [
                "Adding 1 to stream", "Added 1 to stream", "Adding 2 to stream", "Added 2 to stream", "Adding 3 to stream",
                "Added 3 to stream", "Adding 4 to stream", "Reading from stream", "Got 1 from stream", "Reading from stream",
                "Got 2 from stream", "Reading from stream", "Got 3 from stream", "Reading from stream", "Got 4 from stream",
                "Added 4 to stream",
            ],
            trace);
    }

    [Fact]
    public void Capacity_one_is_a_mailbox_whose_blocked_writer_finishes_late()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(1);
            await F.Both(
                async () =>
                {
                    for (int i = 1; i <= 3; i++)
                    {
                        await Add(t, i);
                    }
                },
                async () =>
                {
                    for (int i = 0; i < 3; i++)
                    {
                        await Take(t);
                        Line($"Count {t.Count}");
                    }
                });
        });
        Assert.Equal(
            [
                "Adding 1 to stream", "Added 1 to stream", "Adding 2 to stream",
                "Reading from stream", "Got 1 from stream", "Count 1",
                "Reading from stream", "Got 2 from stream", "Count 0",
                "Reading from stream",
                "Added 2 to stream", "Adding 3 to stream", "Added 3 to stream",
                "Got 3 from stream", "Count 0",
            ],
            trace);
    }

    [Fact]
    public void Zero_capacity_is_a_rendezvous()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(0);
            await F.Both(
                async () =>
                {
                    await Add(t, 1);
                    await Add(t, 2);
                },
                async () =>
                {
                    await Take(t);
                    await Take(t);
                });
        });
        Assert.Equal(
            [
                "Adding 1 to stream", "Reading from stream", "Got 1 from stream", "Reading from stream", "Added 1 to stream",
                "Adding 2 to stream", "Added 2 to stream", "Got 2 from stream",
            ],
            trace);
    }

    [Fact]
    public void Zero_capacity_count_is_always_zero_even_with_blocked_writers()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(0);
            await Switch.Run(async sw =>
            {
                F.Fork(sw, () => Add(t, 1));
                F.Fork(sw, () => Add(t, 2));
                Line($"Count {t.Count}, empty {t.IsEmpty}");
                await Take(t);
                Line($"Count {t.Count}, empty {t.IsEmpty}");
                await Take(t);
            });
        });
        Assert.Equal(
            [
                "Adding 1 to stream", "Adding 2 to stream", "Count 0, empty True",
                "Reading from stream", "Got 1 from stream", "Count 0, empty True",
                "Reading from stream", "Got 2 from stream",
                "Added 1 to stream", "Added 2 to stream",
            ],
            trace);
    }

    [Fact]
    public void Cancelled_take_lets_a_later_take_have_the_item()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(1);
            try
            {
                await F.Both(() => Take(t), () => throw new StopException());
                Line("not reached");
            }
            catch (StopException)
            {
                Line("Cancelled");
                await Add(t, 2);
                await Take(t);
            }
        });
        Assert.Equal(
            ["Reading from stream", "Cancelled", "Adding 2 to stream", "Added 2 to stream", "Reading from stream", "Got 2 from stream"],
            trace);
    }

    [Fact]
    public void Cancelled_add_does_not_add_its_item()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(1);
            try
            {
                await F.Both(
                    async () =>
                    {
                        await Add(t, 1);
                        await Add(t, 2);
                    },
                    () => throw new StopException());
            }
            catch (StopException)
            {
                Line("Cancelled");
                await Take(t);
                TakeNonblocking(t);
                await Add(t, 3);
                await Take(t);
            }
        });
        Assert.Equal(
            [
                "Adding 1 to stream", "Added 1 to stream", "Adding 2 to stream", "Cancelled",
                "Reading from stream", "Got 1 from stream", "Reading from stream", "Got None from stream",
                "Adding 3 to stream", "Added 3 to stream", "Reading from stream", "Got 3 from stream",
            ],
            trace);
    }

    [Fact]
    public void Cancelled_add_on_a_rendezvous_stream_is_not_seen_by_a_later_taker()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(0);
            try
            {
                await F.Both(() => Add(t, 1), () => throw new StopException());
            }
            catch (StopException)
            {
                Line("Cancelled");
                await F.Both(() => Add(t, 2), () => Take(t));
            }
        });
        Assert.Equal(
            ["Adding 1 to stream", "Cancelled", "Adding 2 to stream", "Reading from stream", "Got 2 from stream", "Added 2 to stream"],
            trace);
    }

    [Fact]
    public void Operations_that_must_wait_in_a_cancelled_context_throw_and_leave_the_stream_usable()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(0);
            await Cancel.Sub(async scope =>
            {
                scope.Cancel(new StopException());
                try
                {
                    await Add(t, 1);
                }
                catch (CancelledException e)
                {
                    Line(e.Message);
                }

                try
                {
                    await Take(t);
                }
                catch (CancelledException e)
                {
                    Line(e.Message);
                }

                await Cancel.Protect(() => F.Both(() => Add(t, 1), () => Take(t)));
            });
        });
        Assert.Equal(
            [
                "Adding 1 to stream", "Cancelled: StopException: stop", "Reading from stream", "Cancelled: StopException: stop",
                "Adding 1 to stream", "Reading from stream", "Got 1 from stream", "Added 1 to stream",
            ],
            trace);
    }

    [Fact]
    public void Operations_that_do_not_wait_do_not_check_cancellation()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(1);
            await Cancel.Sub(async scope =>
            {
                scope.Cancel(new StopException());
                await Add(t, 1); // room: no check
                await Take(t);   // an item: no check
            });
        });
        Assert.Equal(["Adding 1 to stream", "Added 1 to stream", "Reading from stream", "Got 1 from stream"], trace);
    }

    [Fact]
    public void A_cancelled_fiber_still_completes_a_rendezvous_that_needs_no_wait()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var withReader = new FiberStream<int>(0);
            var withWriter = new FiberStream<int>(0);
            await Switch.Run(async sw =>
            {
                F.Fork(sw, () => Take(withReader));
                F.Fork(sw, () => Add(withWriter, 2));
                await Cancel.Sub(async scope =>
                {
                    scope.Cancel(new StopException());
                    await Add(withReader, 1); // a reader is waiting: no wait, no check
                    await Take(withWriter);   // a writer is waiting: no wait, no check
                });
            });
        });
        Assert.Equal(
            [
                "Reading from stream", "Adding 2 to stream", "Adding 1 to stream", "Added 1 to stream",
                "Reading from stream", "Got 2 from stream", "Got 1 from stream", "Added 2 to stream",
            ],
            trace);
    }

    [Fact]
    public void Readers_queue_up_in_order()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(0);
            await Switch.Run(async sw =>
            {
                foreach (var name in new[] { "a", "b", "c" })
                {
                    F.Fork(sw, async () =>
                    {
                        await Take(t);
                        Line($"{name} done");
                    });
                }

                await Add(t, 1);
                await Add(t, 2);
                await Add(t, 3);
            });
        });
        Assert.Equal(
            [
                "Reading from stream", "Reading from stream", "Reading from stream",
                "Adding 1 to stream", "Added 1 to stream", "Adding 2 to stream", "Added 2 to stream", "Adding 3 to stream", "Added 3 to stream",
                "Got 1 from stream", "a done", "Got 2 from stream", "b done", "Got 3 from stream", "c done",
            ],
            trace);
    }

    [Fact]
    public void Writers_queue_up_in_order()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(0);
            await Switch.Run(async sw =>
            {
                F.Fork(sw, () => Add(t, 1));
                F.Fork(sw, () => Add(t, 2));
                F.Fork(sw, () => Add(t, 3));
                await Take(t);
                await Take(t);
                await Take(t);
            });
        });
        Assert.Equal(
            [
                "Adding 1 to stream", "Adding 2 to stream", "Adding 3 to stream",
                "Reading from stream", "Got 1 from stream", "Reading from stream", "Got 2 from stream", "Reading from stream", "Got 3 from stream",
                "Added 1 to stream", "Added 2 to stream", "Added 3 to stream",
            ],
            trace);
    }

    [Fact]
    public void Writers_blocked_on_a_buffered_stream_are_admitted_in_order()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(2);
            await Switch.Run(async sw =>
            {
                for (int i = 1; i <= 5; i++)
                {
                    int v = i;
                    F.Fork(sw, () => Add(t, v));
                }

                Line($"Count {t.Count}");
                for (int i = 0; i < 5; i++)
                {
                    await Take(t);
                }
            });
        });
        Assert.Equal(
            [
                "Adding 1 to stream", "Added 1 to stream", "Adding 2 to stream", "Added 2 to stream",
                "Adding 3 to stream", "Adding 4 to stream", "Adding 5 to stream", "Count 2",
                "Reading from stream", "Got 1 from stream", "Reading from stream", "Got 2 from stream",
                "Reading from stream", "Got 3 from stream", "Reading from stream", "Got 4 from stream",
                "Reading from stream", "Got 5 from stream",
                "Added 3 to stream", "Added 4 to stream", "Added 5 to stream",
            ],
            trace);
    }

    [Fact]
    public void Add_hands_the_item_straight_to_a_waiting_reader_even_when_there_is_room()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(5);
            await Switch.Run(async sw =>
            {
                F.Fork(sw, () => Take(t));
                await Add(t, 1);
                Line($"Count {t.Count}");
            });
        });
        Assert.Equal(["Reading from stream", "Adding 1 to stream", "Added 1 to stream", "Count 0", "Got 1 from stream"], trace);
    }

    [Fact]
    public void Cancelling_a_blocked_writer_keeps_the_buffered_items()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(1);
            await Add(t, 0);
            await Switch.Run(async sw =>
            {
                try
                {
                    await F.Both(() => Add(t, 1), () => throw new StopException());
                }
                catch (StopException)
                {
                    Line("Cancelled");
                    await Take(t);
                    await Add(t, 2);
                    await Take(t);
                }
            });
        });
        Assert.Equal(
            [
                "Adding 0 to stream", "Added 0 to stream", "Adding 1 to stream", "Cancelled", "Reading from stream", "Got 0 from stream",
                "Adding 2 to stream", "Added 2 to stream", "Reading from stream", "Got 2 from stream",
            ],
            trace);
    }

    [Fact]
    public void Non_blocking_take()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(1);
            TakeNonblocking(t);
            await Add(t, 0);
            TakeNonblocking(t);
        });
        Assert.Equal(["Reading from stream", "Got None from stream", "Adding 0 to stream", "Added 0 to stream", "Reading from stream", "Got 0 from stream"], trace);
    }

    [Fact]
    public void Non_blocking_take_on_a_rendezvous_stream_needs_a_waiting_writer()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(0);
            TakeNonblocking(t);
            await F.Both(
                () => Add(t, 0),
                () =>
                {
                    TakeNonblocking(t);
                    return ValueTask.CompletedTask;
                });
            TakeNonblocking(t);
        });
        Assert.Equal(
            [
                "Reading from stream", "Got None from stream", "Adding 0 to stream", "Reading from stream", "Got 0 from stream",
                "Added 0 to stream", "Reading from stream", "Got None from stream",
            ],
            trace);
    }

    [Fact]
    public void Non_blocking_take_on_a_full_stream_admits_a_blocked_writer()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(1);
            await Switch.Run(async sw =>
            {
                await Add(t, 1);
                F.Fork(sw, () => Add(t, 2));
                TakeNonblocking(t);
                Line($"Count {t.Count}");
                TakeNonblocking(t);
                TakeNonblocking(t);
            });
        });
        Assert.Equal(
            [
                "Adding 1 to stream", "Added 1 to stream", "Adding 2 to stream", "Reading from stream", "Got 1 from stream", "Count 1",
                "Reading from stream", "Got 2 from stream", "Reading from stream", "Got None from stream", "Added 2 to stream",
            ],
            trace);
    }

    [Fact]
    public void A_take_that_already_received_its_item_wins_over_a_later_cancel()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(0);
            await Switch.Run(async sw =>
            {
                CancelScope? readerScope = null;
                F.Fork(sw, () => Cancel.Sub(async scope =>
                {
                    readerScope = scope;
                    await Take(t);
                    Line($"reader cancelled now: {F.IsCancelled}");
                }));
                await Add(t, 1);
                readerScope!.Cancel(new StopException());
                Line("cancelled the reader");
                Line($"leftover: {t.TryTake(out int _)}");
            });
        });
        Assert.Equal(
            [
                "Reading from stream", "Adding 1 to stream", "Added 1 to stream", "cancelled the reader", "leftover: False",
                "Got 1 from stream", "reader cancelled now: True",
            ],
            trace);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void An_add_that_was_already_accepted_wins_over_a_later_cancel(int capacity)
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(capacity);
            await Switch.Run(async sw =>
            {
                if (capacity == 1)
                {
                    await t.Add(0);
                }

                CancelScope? writerScope = null;
                F.Fork(sw, () => Cancel.Sub(async scope =>
                {
                    writerScope = scope;
                    await Add(t, 1);
                    Line($"writer cancelled now: {F.IsCancelled}");
                }));
                await Take(t); // takes 0 (inserting 1) or takes 1 from the writer
                writerScope!.Cancel(new StopException());
                Line("cancelled the writer");
                if (capacity == 1)
                {
                    await Take(t);
                }

                TakeNonblocking(t);
            });
        });
        var expected = capacity == 0
            ? new[]
            {
                "Adding 1 to stream", "Reading from stream", "Got 1 from stream", "cancelled the writer",
                "Reading from stream", "Got None from stream", "Added 1 to stream", "writer cancelled now: True",
            }
            : new[]
            {
                "Adding 1 to stream", "Reading from stream", "Got 0 from stream", "cancelled the writer",
                "Reading from stream", "Got 1 from stream", "Reading from stream", "Got None from stream",
                "Added 1 to stream", "writer cancelled now: True",
            };
        Assert.Equal(expected, trace);
    }

    [Fact]
    public void Many_readers_and_writers_are_served_first_come_first_served()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberStream<int>(0);
            await Switch.Run(async sw =>
            {
                for (int r = 0; r < 3; r++)
                {
                    string name = "r" + r;
                    F.Fork(sw, async () => Line($"{name} got {await t.Take()}"));
                }

                for (int w = 0; w < 5; w++)
                {
                    int item = 10 * w;
                    F.Fork(sw, async () =>
                    {
                        await t.Add(item);
                        Line($"w{item / 10} done");
                    });
                }

                for (int r = 3; r < 5; r++)
                {
                    string name = "r" + r;
                    F.Fork(sw, async () => Line($"{name} got {await t.Take()}"));
                }

                await F.Yield();
            });
        });
        Assert.Equal(
            [
                "w0 done", "w1 done", "w2 done", "r3 got 30", "r4 got 40",
                "r0 got 0", "r1 got 10", "r2 got 20", "w3 done", "w4 done",
            ],
            trace);
    }

    [Fact]
    public void Take_outside_a_fiber_is_rejected_but_try_take_works()
    {
        var t = new FiberStream<int>(1);
        var e = Assert.Throws<InvalidOperationException>(() => t.Take());
        Assert.Contains("FiberStream.Take", e.Message, StringComparison.Ordinal);
        Assert.False(t.TryTake(out int _));
    }
}

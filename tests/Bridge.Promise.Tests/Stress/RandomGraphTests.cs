namespace PromiseTests.Stress;

/// <summary>Seeded random graphs of bind/map/catch/pick/choose/join/protected with random resolutions and cancels.</summary>
public class RandomGraphTests
{
    private sealed class Tracked
    {
        public required Promise<int> Promise { get; init; }
        public int Callbacks;
        public PromiseState? Settled;
        public object? Outcome;
    }

    public static IEnumerable<object[]> Seeds() => Enumerable.Range(0, 60).Select(i => new object[] { i });

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Every_promise_resolves_at_most_once_and_every_callback_runs_exactly_once(int seed) => TestLoop.Run(() =>
    {
        var rng = new Random(seed);
        var tracked = new List<Tracked>();
        var leaves = new List<Resolver<int>>();
        var functionRuns = new Dictionary<int, int>();
        int nextFunctionId = 0;

        Tracked Track(Promise<int> p)
        {
            var t = new Tracked { Promise = p };
            p.OnAny(_ => t.Callbacks++, _ => t.Callbacks++);
            tracked.Add(t);
            return t;
        }

        Promise<int> Any() => tracked[rng.Next(tracked.Count)].Promise;

        Func<int, Promise<int>> Function()
        {
            int id = nextFunctionId++;
            functionRuns[id] = 0;
            int choice = rng.Next(4);
            var target = tracked.Count > 0 ? Any() : Promise.FromResult(0);
            return v =>
            {
                functionRuns[id]++;
                return choice switch
                {
                    0 => Promise.FromResult(v + 1),
                    1 => target,
                    2 => Promise.FromException<int>(new TestException()),
                    _ => throw new TestException(),
                };
            };
        }

        for (int i = 0; i < 8; i++)
        {
            var (p, r) = rng.Next(2) == 0 ? Promise.Create<int>() : Promise.CreateCancelable<int>();
            leaves.Add(r);
            Track(p);
        }

        for (int i = 0; i < 40; i++)
        {
            Promise<int> made;
            try
            {
                made = rng.Next(9) switch
                {
                    0 => Any().Bind(Function()),
                    1 => Any().Map(x => x * 2),
                    2 => Any().Catch(_ => rng.Next(2) == 0 ? Promise.FromResult(-1) : Any()),
                    3 => Promise.Pick(Any(), Any()),
                    4 => Promise.Choose(Any(), Any(), Any()),
                    5 => Promise.Join(Any().Map(_ => default(Unit)), Any().Map(_ => default(Unit))).Map(_ => 0),
                    6 => Promise.Protected(Any()),
                    7 => Promise.NPick(new[] { Any(), Any() }).Map(l => l.Count),
                    _ => Promise.WrapInCancelable(Any()),
                };
            }
            catch (TestException)
            {
                continue; // bind quirk: a function on a resolved promise threw synchronously
            }

            if (!tracked.Any(t => ReferenceEquals(t.Promise, made)))
            {
                Track(made);
            }
        }

        void CheckInvariants()
        {
            foreach (var t in tracked)
            {
                var state = t.Promise.State;
                if (t.Settled is { } settled)
                {
                    Assert.Equal(settled, state);
                    Assert.Equal(t.Outcome, state == PromiseState.Rejected ? t.Promise.Error : (object)t.Promise.Result);
                }
                else if (state != PromiseState.Pending)
                {
                    t.Settled = state;
                    t.Outcome = state == PromiseState.Rejected ? t.Promise.Error : t.Promise.Result;
                }

                Assert.True(t.Callbacks <= 1, "a callback ran twice");
            }

            Assert.All(functionRuns.Values, runs => Assert.True(runs <= 1, "a bind function ran twice"));
        }

        for (int step = 0; step < 30; step++)
        {
            switch (rng.Next(4))
            {
                case 0:
                    TryResolve(leaves[rng.Next(leaves.Count)], rng.Next(100));
                    break;
                case 1:
                    TryReject(leaves[rng.Next(leaves.Count)]);
                    break;
                default:
                    Any().Cancel();
                    break;
            }

            CheckInvariants();
        }

        foreach (var r in leaves)
        {
            TryResolve(r, 0);
        }

        CheckInvariants();
        foreach (var t in tracked)
        {
            Assert.Equal(t.Promise.IsPending ? 0 : 1, t.Callbacks);
        }
    });

    private static void TryResolve(Resolver<int> r, int v)
    {
        if (r.Promise.IsPending)
        {
            r.Resolve(v);
        }
        else if (!r.Promise.IsCanceled)
        {
            Assert.Throws<InvalidOperationException>(() => r.Resolve(v));
        }
    }

    private static void TryReject(Resolver<int> r)
    {
        if (r.Promise.IsPending)
        {
            r.Reject(new TestException());
        }
    }
}

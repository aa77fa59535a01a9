namespace Bridge.Fibers;

public static partial class Fiber
{
    /// <summary>
    /// Runs <paramref name="action"/> on every item concurrently and waits for all (Eio <c>Fiber.List.iter</c>). At most
    /// <paramref name="maxFibers"/> run at once (a free slot is awaited before the next fork); the last item runs in the
    /// calling fiber; any exception cancels the rest.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxFibers"/> is not positive.</exception>
    public static async ValueTask Iter<T>(IEnumerable<T> items, Func<T, ValueTask> action, int? maxFibers = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        await FilterMapCore<T, Unit>(items, async item =>
        {
            await action(item).ConfigureAwait(true);
            return (false, default);
        }, maxFibers).ConfigureAwait(true);
    }

    /// <summary>
    /// Maps every item concurrently, keeping input order in the result (Eio <c>Fiber.List.map</c>); concurrency rules as
    /// <see cref="Iter{T}"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxFibers"/> is not positive.</exception>
    public static async ValueTask<IReadOnlyList<TResult>> Map<T, TResult>(IEnumerable<T> items, Func<T, ValueTask<TResult>> map, int? maxFibers = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        return await FilterMapCore<T, TResult>(items, async item => (true, await map(item).ConfigureAwait(true)), maxFibers).ConfigureAwait(true);
    }

    /// <summary>
    /// Keeps the items for which <paramref name="predicate"/> holds, testing them concurrently, in input order
    /// (Eio <c>Fiber.List.filter</c>); concurrency rules as <see cref="Iter{T}"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxFibers"/> is not positive.</exception>
    public static async ValueTask<IReadOnlyList<T>> Filter<T>(IEnumerable<T> items, Func<T, ValueTask<bool>> predicate, int? maxFibers = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return await FilterMapCore<T, T>(items, async item => (await predicate(item).ConfigureAwait(true), item), maxFibers).ConfigureAwait(true);
    }

    private static async ValueTask<IReadOnlyList<TResult>> FilterMapCore<T, TResult>(IEnumerable<T> source, Func<T, ValueTask<(bool Keep, TResult Value)>> body, int? maxFibers)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (maxFibers is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxFibers), maxFibers, "max_fibers must be positive");
        }

        var items = source as IReadOnlyList<T> ?? source.ToList();
        if (items.Count == 0)
        {
            return [];
        }

        var results = new (bool Keep, TResult Value)[items.Count];
        await Switch.Run(async sw =>
        {
            var limiter = maxFibers is int n ? new FiberSemaphore(n) : null;
            for (int i = 0; i < items.Count; i++)
            {
                if (limiter is not null)
                {
                    await limiter.Acquire();
                }

                int index = i;
                async ValueTask Run()
                {
                    results[index] = await body(items[index]).ConfigureAwait(true);

                    // Only a success gives the slot back (Eio's limiter): a failure fails the switch, and a caller waiting
                    // for a slot is cancelled with it instead of starting the next element first.
                    limiter?.Release();
                }

                if (i < items.Count - 1)
                {
                    Fork(sw, Run);
                }
                else
                {
                    await Run().ConfigureAwait(true);
                }
            }
        }, "list").ConfigureAwait(true);
        return results.Where(r => r.Keep).Select(r => r.Value).ToList();
    }
}

namespace Bridge.Promises;

/// <summary>
/// A lazy, possibly infinite stream of values read with promises (Lwt <c>'a Lwt_stream.t</c>). Made by
/// <see cref="PromiseStream.Create{T}"/> (push), <see cref="PromiseStream.CreateBounded{T}"/> (bounded push),
/// <see cref="PromiseStream.From{T}"/> (generator) or <see cref="PromiseStream.OfEnumerable{T}"/>. Reading consumes;
/// <see cref="Clone"/> gives an independent read position over the same data.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed class PromiseStream<T>
{
    private readonly StreamSource<T> _source;
    private readonly Func<Unit, Promise<(bool HasValue, T Value)>> _getAgain;
    private readonly Func<Unit, Promise<(bool HasValue, T Value)>> _peekAgain;
    private StreamNode<T> _node;

    internal PromiseStream(StreamSource<T> source, StreamNode<T> node)
    {
        _source = source;
        _node = node;
        _getAgain = _ => Get();
        _peekAgain = _ => Peek();
    }

    internal StreamSource<T> Source => _source;

    /// <summary>True once the end of the stream has been reached by the feeder (Lwt <c>Lwt_stream.is_closed</c>).</summary>
    public bool IsClosed => _source.Closed;

    /// <summary>A promise fulfilled when the stream is closed (Lwt <c>Lwt_stream.closed</c>).</summary>
    public Promise<Unit> Closed => _source.ClosedPromise;

    /// <summary>
    /// Removes and returns the next element, waiting for one if needed; <c>(false, default)</c> at the end of the stream
    /// (Lwt <c>Lwt_stream.get</c>). A generator failure rejects this read; the stream stays open.
    /// </summary>
    public Promise<(bool HasValue, T Value)> Get()
    {
        if (TryTake(false, out var item))
        {
            return new Promise<(bool, T)>(item);
        }

        return Wait(false);
    }

    private Promise<(bool HasValue, T Value)> Wait(bool peek)
    {
        if (_source.Generator is not null)
        {
            return _source.Feed().Bind(peek ? _peekAgain : _getAgain);
        }

        var p = new Promise<(bool, T)> { _cancelable = true };
        _source.AddWaiter(this, p, peek);
        return p;
    }

    /// <summary>Reads (or peeks) the next element if one is available now, or the end marker.</summary>
    internal bool TryTake(bool peek, out (bool HasValue, T Value) item)
    {
        while (true)
        {
            var node = _node;
            if (node.IsEnd)
            {
                item = (false, default!);
                return true;
            }

            if (!ReferenceEquals(node, _source.Last))
            {
                if (!peek)
                {
                    _node = node.Next!;
                    _source.Consumed();
                }

                item = (true, node.Value);
                return true;
            }

            if (_source.Bounded && _source.HasPending)
            {
                _source.PromoteBlocked();
                continue;
            }

            item = default;
            return false;
        }
    }

    /// <summary>
    /// Removes and returns the next element; at the end of the stream the promise is rejected with
    /// <see cref="InvalidOperationException"/> (Lwt <c>Lwt_stream.next</c>, which fails with <c>Empty</c>).
    /// </summary>
    public Promise<T> Next() => Get().Bind(static item => item.HasValue
        ? Promise.FromResult(item.Value)
        : Promise.FromException<T>(new InvalidOperationException("The stream is empty and closed (Lwt_stream.Empty).")));

    /// <summary>Returns the next element without removing it, waiting if needed; <c>(false, default)</c> at the end (Lwt <c>Lwt_stream.peek</c>).</summary>
    public Promise<(bool HasValue, T Value)> Peek() =>
        TryTake(true, out var item) ? new Promise<(bool, T)>(item) : Wait(true);

    /// <summary>Removes the next element, waiting for it if needed (Lwt <c>Lwt_stream.junk</c>).</summary>
    public Promise<Unit> Junk() => Get().Map(static _ => default(Unit));

    /// <summary>Removes and returns up to <paramref name="count"/> elements, fewer if the stream ends (Lwt <c>Lwt_stream.nget</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public Promise<IReadOnlyList<T>> NGet(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var items = new List<T>(Math.Min(count, 1024));
        Promise<IReadOnlyList<T>> Loop()
        {
            if (items.Count >= count)
            {
                return Promise.FromResult<IReadOnlyList<T>>(items);
            }

            return Get().Bind(item =>
            {
                if (!item.HasValue)
                {
                    return Promise.FromResult<IReadOnlyList<T>>(items);
                }

                items.Add(item.Value);
                return Loop();
            });
        }

        return Loop();
    }

    /// <summary>Removes and returns every element available right now, without waiting (Lwt <c>Lwt_stream.get_available</c>).</summary>
    public IReadOnlyList<T> GetAvailable()
    {
        var items = new List<T>();
        while (!_node.IsEnd && TryTake(false, out var item))
        {
            items.Add(item.Value);
        }

        return items;
    }

    /// <summary>
    /// A new stream reading the same elements from the current position, independently (Lwt <c>Lwt_stream.clone</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The stream is bounded (Lwt raises <c>Invalid_argument</c>).</exception>
    public PromiseStream<T> Clone()
    {
        if (_source.Bounded)
        {
            throw new InvalidOperationException("Lwt_stream.clone: a bounded push stream cannot be cloned.");
        }

        return new PromiseStream<T>(_source, _node);
    }

    /// <summary>Calls <paramref name="f"/> on every element until the end (Lwt <c>Lwt_stream.iter</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public Promise<Unit> Iter(Action<T> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return IterS(x =>
        {
            f(x);
            return Promise.Unit;
        });
    }

    /// <summary>Calls <paramref name="f"/> on every element, waiting for each promise before the next read (Lwt <c>Lwt_stream.iter_s</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public Promise<Unit> IterS(Func<T, Promise<Unit>> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        Promise<Unit> Loop() => Get().Bind(item => item.HasValue ? Promise.Apply(() => f(item.Value)).Bind(_ => Loop()) : Promise.Unit);
        return Loop();
    }

    /// <summary>
    /// Calls <paramref name="f"/> on every element as soon as it is read, without waiting for earlier calls; the result
    /// waits for all of them (Lwt <c>Lwt_stream.iter_p</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public Promise<Unit> IterP(Func<T, Promise<Unit>> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        Promise<Unit> Loop() => Get().Bind(item =>
        {
            if (!item.HasValue)
            {
                return Promise.Unit;
            }

            var res = Promise.Apply(() => f(item.Value));
            var rest = Loop();
            return Promise.Join(res, rest);
        });
        return Loop();
    }

    /// <summary>A stream of <paramref name="f"/> applied to each element, pulled from this one (Lwt <c>Lwt_stream.map</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public PromiseStream<TResult> Map<TResult>(Func<T, TResult> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return PromiseStream.From(() => Get().Map(item => item.HasValue ? (true, f(item.Value)) : (false, default(TResult)!)));
    }

    /// <summary>A stream of the results of <paramref name="f"/>'s promises, in order (Lwt <c>Lwt_stream.map_s</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public PromiseStream<TResult> MapS<TResult>(Func<T, Promise<TResult>> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return PromiseStream.From(() => Get().Bind(item => item.HasValue
            ? f(item.Value).Map(v => (true, v))
            : Promise.FromResult((false, default(TResult)!))));
    }

    /// <summary>A stream of the elements satisfying <paramref name="predicate"/> (Lwt <c>Lwt_stream.filter</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is null.</exception>
    public PromiseStream<T> Filter(Func<T, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return FilterS(x => Promise.FromResult(predicate(x)));
    }

    /// <summary>A stream of the elements whose <paramref name="predicate"/> promise is true (Lwt <c>Lwt_stream.filter_s</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is null.</exception>
    public PromiseStream<T> FilterS(Func<T, Promise<bool>> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        Promise<(bool, T)> Next() => Get().Bind(item => !item.HasValue
            ? Promise.FromResult(item)
            : predicate(item.Value).Bind(keep => keep ? Promise.FromResult(item) : Next()));
        return PromiseStream.From(Next);
    }

    /// <summary>Folds the elements from first to last (Lwt <c>Lwt_stream.fold</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public Promise<TAcc> Fold<TAcc>(Func<T, TAcc, TAcc> f, TAcc seed)
    {
        ArgumentNullException.ThrowIfNull(f);
        return FoldS((x, acc) => Promise.FromResult(f(x, acc)), seed);
    }

    /// <summary>Folds the elements with a promise-returning function (Lwt <c>Lwt_stream.fold_s</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public Promise<TAcc> FoldS<TAcc>(Func<T, TAcc, Promise<TAcc>> f, TAcc seed)
    {
        ArgumentNullException.ThrowIfNull(f);
        Promise<TAcc> Loop(TAcc acc) => Get().Bind(item => item.HasValue ? f(item.Value, acc).Bind(Loop) : Promise.FromResult(acc));
        return Loop(seed);
    }

    /// <summary>Reads the whole stream into a list (Lwt <c>Lwt_stream.to_list</c>).</summary>
    public Promise<IReadOnlyList<T>> ToList()
    {
        var items = new List<T>();
        return Fold((x, acc) =>
        {
            acc.Add(x);
            return acc;
        }, items).Map(static l => (IReadOnlyList<T>)l);
    }
}

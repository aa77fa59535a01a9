using System.Runtime.ExceptionServices;

namespace Bridge.Fibers;

/// <summary>
/// A value computed once, on first demand, by whichever fiber forces it first (Eio's <c>Lazy</c>); fibers forcing it
/// meanwhile wait and then re-check. The result or exception is cached. Thread-safe across loops.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class FiberLazy<T>
{
    private readonly object _gate = new();
    private readonly Func<ValueTask<T>>? _factory;
    private readonly FiberLazyCancel _cancel;
    private FiberPromise<Unit>? _running;
    private bool _hasValue;
    private T _value = default!;
    private ExceptionDispatchInfo? _error;

    /// <summary>A lazy value computed by <paramref name="factory"/> (Eio <c>Lazy.from_fun</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is null.</exception>
    public FiberLazy(Func<ValueTask<T>> factory, FiberLazyCancel cancel = FiberLazyCancel.Restart)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (!Enum.IsDefined(cancel))
        {
            throw new ArgumentOutOfRangeException(nameof(cancel), cancel, "Unknown FiberLazyCancel value.");
        }

        _factory = factory;
        _cancel = cancel;
    }

    /// <summary>An already-computed lazy value (Eio <c>Lazy.from_val</c>).</summary>
    public FiberLazy(T value)
    {
        _hasValue = true;
        _value = value;
    }

    /// <summary>True once a value has been computed.</summary>
    public bool HasValue
    {
        get
        {
            lock (_gate)
            {
                return _hasValue;
            }
        }
    }

    /// <summary>
    /// The value, computing it in this fiber if nobody has started (Eio <c>Lazy.force</c>); rethrows a cached exception.
    /// </summary>
    /// <exception cref="CancelledException">The fiber is cancelled while computing or waiting.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public async ValueTask<T> Force()
    {
        while (true)
        {
            FiberPromise<Unit>? running;
            FiberResolver<Unit>? mine = null;
            lock (_gate)
            {
                if (_hasValue)
                {
                    return _value;
                }

                _error?.Throw();
                running = _running;
                if (running is null)
                {
                    (_running, mine) = FiberPromise.Create<Unit>("FiberLazy");
                }
            }

            if (mine is null)
            {
                await running!;
                continue;
            }

            return await Compute(mine).ConfigureAwait(true);
        }
    }

    private async ValueTask<T> Compute(FiberResolver<Unit> done)
    {
        try
        {
            T value = _cancel == FiberLazyCancel.Protect
                ? await Cancel.Protect(_factory!).ConfigureAwait(true)
                : await _factory!().ConfigureAwait(true);
            lock (_gate)
            {
                _hasValue = true;
                _value = value;
                _running = null;
            }

            return value;
        }
        catch (CancelledException) when (_cancel == FiberLazyCancel.Restart)
        {
            lock (_gate)
            {
                _running = null;
            }

            throw;
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                _error = ExceptionDispatchInfo.Capture(e);
                _running = null;
            }

            throw;
        }
        finally
        {
            done.Resolve(default);
        }
    }
}

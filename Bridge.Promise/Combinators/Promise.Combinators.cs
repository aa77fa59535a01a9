namespace Bridge.Promises;

public static partial class Promise
{
    [ThreadStatic]
    private static Random? t_prng;

    /// <summary>Lwt seeds its choice among already-resolved inputs with a constant so programs stay deterministic.</summary>
    private static Random Prng => t_prng ??= new Random(0);

    /// <summary>
    /// A promise that resolves once every input has resolved (Lwt <c>Lwt.join</c>, <c>&lt;&amp;&gt;</c>): fulfilled if all
    /// are fulfilled, else rejected with the first known rejection — already-rejected inputs in list order at call
    /// time, otherwise the first to reject. Never short-circuits. Empty input: fulfilled. Canceling it cancels every input.
    /// </summary>
    /// <exception cref="ArgumentNullException">The sequence or an element is null.</exception>
    public static Promise<Unit> Join(IEnumerable<Promise<Unit>> promises)
    {
        var inputs = ToArray(promises, nameof(promises));
        int pending = 0;
        Exception? error = null;
        foreach (var input in inputs)
        {
            var p = input.Underlying();
            if (p._state == Promise<Unit>.StatePending)
            {
                pending++;
            }
            else if (p._state == Promise<Unit>.StateRejected)
            {
                error ??= (Exception)p._ref!;
            }
        }

        if (pending == 0)
        {
            return error is null ? new Promise<Unit>(default(Unit)) : new Promise<Unit>(error);
        }

        var res = new JoinPromise(inputs, pending, error);
        for (int i = 0; i < inputs.Length; i++)
        {
            var p = inputs[i].Underlying();
            if (p._state == Promise<Unit>.StatePending)
            {
                res.AttachTo(p);
            }
        }

        return res;
    }

    /// <summary>Params form of <see cref="Join(IEnumerable{Promise{Unit}})"/> (Lwt <c>Lwt.join</c>).</summary>
    /// <exception cref="ArgumentNullException">The array or an element is null.</exception>
    public static Promise<Unit> Join(params Promise<Unit>[] promises) => Join((IEnumerable<Promise<Unit>>)promises);

    /// <summary>
    /// A promise of all the inputs' values in input order (Lwt <c>Lwt.all</c>); waits for every input; rejected with
    /// the first known rejection as <see cref="Join(IEnumerable{Promise{Unit}})"/>. Empty input: an empty list.
    /// </summary>
    /// <exception cref="ArgumentNullException">The sequence or an element is null.</exception>
    public static Promise<IReadOnlyList<T>> All<T>(IEnumerable<Promise<T>> promises)
    {
        var inputs = ToArray(promises, nameof(promises));
        var values = new T[inputs.Length];
        int pending = 0;
        Exception? error = null;
        for (int i = 0; i < inputs.Length; i++)
        {
            var p = inputs[i].Underlying();
            switch (p._state)
            {
                case Promise<T>.StatePending:
                    pending++;
                    break;
                case Promise<T>.StateRejected:
                    error ??= (Exception)p._ref!;
                    break;
                default:
                    values[i] = p._value;
                    break;
            }
        }

        if (pending == 0)
        {
            return error is null ? new Promise<IReadOnlyList<T>>(values) : new Promise<IReadOnlyList<T>>(error);
        }

        var res = new AllPromise<T>(inputs, values, pending, error);
        bool selfUsed = false;
        for (int i = 0; i < inputs.Length; i++)
        {
            var p = inputs[i].Underlying();
            if (p._state == Promise<T>.StatePending)
            {
                if (selfUsed)
                {
                    p.AddCallback(new AllEntry<T>(res, i));
                }
                else
                {
                    selfUsed = true;
                    res.SelfIndex = i;
                    p.AddCallback(res);
                }
            }
        }

        return res;
    }

    /// <summary>Params form of <see cref="All{T}(IEnumerable{Promise{T}})"/> (Lwt <c>Lwt.all</c>).</summary>
    /// <exception cref="ArgumentNullException">The array or an element is null.</exception>
    public static Promise<IReadOnlyList<T>> All<T>(params Promise<T>[] promises) => All((IEnumerable<Promise<T>>)promises);

    /// <summary>
    /// A promise of both values (Lwt <c>Lwt.both</c>, <c>and*</c>): waits for both; rejected with the first known
    /// rejection (the first argument's when both are already rejected). Canceling it cancels both.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<(T1, T2)> Both<T1, T2>(Promise<T1> first, Promise<T2> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return BothPromise<T1, T2>.Start(first, second);
    }

    /// <summary>
    /// Resolves as the first input to resolve, then leaves the others alone (Lwt <c>Lwt.choose</c>, <c>&lt;?&gt;</c>). When
    /// inputs are already resolved, returns one of them itself — a rejected one if any is rejected — chosen with a
    /// fixed-seed generator. Canceling the result cancels every input.
    /// </summary>
    /// <exception cref="ArgumentNullException">The sequence or an element is null.</exception>
    /// <exception cref="ArgumentException">The sequence is empty: the result would be pending forever.</exception>
    public static Promise<T> Choose<T>(IEnumerable<Promise<T>> promises) => ChooseOrPick(promises, pick: false);

    /// <summary>Params form of <see cref="Choose{T}(IEnumerable{Promise{T}})"/> (Lwt <c>Lwt.choose</c>).</summary>
    /// <exception cref="ArgumentNullException">The array or an element is null.</exception>
    /// <exception cref="ArgumentException">The array is empty.</exception>
    public static Promise<T> Choose<T>(params Promise<T>[] promises) => ChooseOrPick(promises, pick: false);

    /// <summary>Two-input form of <see cref="Choose{T}(IEnumerable{Promise{T}})"/> (Lwt <c>Lwt.choose [a; b]</c>); allocates no input array.</summary>
    /// <exception cref="ArgumentNullException">An input is null.</exception>
    public static Promise<T> Choose<T>(Promise<T> first, Promise<T> second) => ChooseOrPickTwo(first, second, pick: false);

    /// <summary>
    /// Like <see cref="Choose{T}(IEnumerable{Promise{T}})"/>, but when the first input resolves, every input is canceled
    /// before the result resolves, so the losers' cancellation handlers run first (Lwt <c>Lwt.pick</c>). With inputs
    /// already resolved, the pending ones are canceled and the chosen resolved input itself is returned.
    /// </summary>
    /// <exception cref="ArgumentNullException">The sequence or an element is null.</exception>
    /// <exception cref="ArgumentException">The sequence is empty: the result would be pending forever.</exception>
    public static Promise<T> Pick<T>(IEnumerable<Promise<T>> promises) => ChooseOrPick(promises, pick: true);

    /// <summary>Params form of <see cref="Pick{T}(IEnumerable{Promise{T}})"/> (Lwt <c>Lwt.pick</c>).</summary>
    /// <exception cref="ArgumentNullException">The array or an element is null.</exception>
    /// <exception cref="ArgumentException">The array is empty.</exception>
    public static Promise<T> Pick<T>(params Promise<T>[] promises) => ChooseOrPick(promises, pick: true);

    /// <summary>Two-input form of <see cref="Pick{T}(IEnumerable{Promise{T}})"/> (Lwt <c>Lwt.pick [a; b]</c>); allocates no input array.</summary>
    /// <exception cref="ArgumentNullException">An input is null.</exception>
    public static Promise<T> Pick<T>(Promise<T> first, Promise<T> second) => ChooseOrPickTwo(first, second, pick: true);

    /// <summary>
    /// A promise of the values of every input fulfilled at the moment the first input resolves, in input order; the
    /// first rejected input (in list order) wins over fulfilled ones. Other inputs are left alone (Lwt <c>Lwt.nchoose</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException">The sequence or an element is null.</exception>
    /// <exception cref="ArgumentException">The sequence is empty: the result would be pending forever.</exception>
    public static Promise<IReadOnlyList<T>> NChoose<T>(IEnumerable<Promise<T>> promises) => NVariant<T, IReadOnlyList<T>>(promises, ChoosePromise<T, T>.ModeNChoose, "NChoose");

    /// <summary>
    /// Like <see cref="NChoose{T}"/>, but every input is canceled before the result resolves (Lwt <c>Lwt.npick</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException">The sequence or an element is null.</exception>
    /// <exception cref="ArgumentException">The sequence is empty: the result would be pending forever.</exception>
    public static Promise<IReadOnlyList<T>> NPick<T>(IEnumerable<Promise<T>> promises) => NVariant<T, IReadOnlyList<T>>(promises, ChoosePromise<T, T>.ModeNPick, "NPick");

    /// <summary>
    /// Like <see cref="NChoose{T}"/>, also returning the inputs still pending (Lwt <c>Lwt.nchoose_split</c>). Lwt's
    /// quirk is kept: when answered at once (an input was already fulfilled) the pending list is in reverse input
    /// order; when answered later, in input order.
    /// </summary>
    /// <exception cref="ArgumentNullException">The sequence or an element is null.</exception>
    /// <exception cref="ArgumentException">The sequence is empty: the result would be pending forever.</exception>
    public static Promise<(IReadOnlyList<T> Fulfilled, IReadOnlyList<Promise<T>> Pending)> NChooseSplit<T>(IEnumerable<Promise<T>> promises)
        => NVariant<T, (IReadOnlyList<T>, IReadOnlyList<Promise<T>>)>(promises, ChoosePromise<T, T>.ModeNChooseSplit, "NChooseSplit");

    private static Promise<T> ChooseOrPick<T>(IEnumerable<Promise<T>> promises, bool pick)
    {
        var inputs = ToArray(promises, nameof(promises));
        if (inputs.Length == 0)
        {
            throw EmptyChoice(pick ? "Pick" : "Choose");
        }

        int fulfilled = 0, rejected = 0;
        foreach (var input in inputs)
        {
            var p = input.Underlying();
            if (p._state == Promise<T>.StateFulfilled)
            {
                fulfilled++;
            }
            else if (p._state == Promise<T>.StateRejected)
            {
                rejected++;
            }
        }

        if (fulfilled + rejected > 0)
        {
            byte wanted = rejected > 0 ? Promise<T>.StateRejected : Promise<T>.StateFulfilled;
            int count = rejected > 0 ? rejected : fulfilled;
            int n = count == 1 ? 0 : Prng.Next(count);
            Promise<T>? chosen = null;
            foreach (var input in inputs)
            {
                if (input.Underlying()._state == wanted && n-- == 0)
                {
                    chosen = input;
                    break;
                }
            }

            if (pick)
            {
                ChoosePromise<T, T>.CancelAll(inputs);
            }

            return chosen!;
        }

        var res = new ChoosePromise<T, T>(inputs, pick ? ChoosePromise<T, T>.ModePick : ChoosePromise<T, T>.ModeChoose);
        res.Attach();
        return res;
    }

    private static Promise<T> ChooseOrPickTwo<T>(Promise<T> first, Promise<T> second, bool pick)
    {
        if (first is null || second is null || first.Underlying()._state != Promise<T>.StatePending || second.Underlying()._state != Promise<T>.StatePending)
        {
            return ChooseOrPick(new[] { first!, second! }, pick); // null checks and the resolved-input choice, unchanged
        }

        var res = new ChooseTwoPromise<T>(first, second, pick);
        res.Attach();
        return res;
    }

    private static Promise<TResult> NVariant<T, TResult>(IEnumerable<Promise<T>> promises, int mode, string name)
    {
        var inputs = ToArray(promises, nameof(promises));
        if (inputs.Length == 0)
        {
            throw EmptyChoice(name);
        }

        var values = new List<T>();
        var stillPending = new List<Promise<T>>();
        Exception? error = null;
        bool anyResolved = false;
        foreach (var input in inputs)
        {
            var p = input.Underlying();
            if (p._state == Promise<T>.StateFulfilled)
            {
                anyResolved = true;
                values.Add(p._value);
            }
            else if (p._state == Promise<T>.StateRejected)
            {
                anyResolved = true;
                error = (Exception)p._ref!;
                break;
            }
            else
            {
                stillPending.Add(input);
            }
        }

        if (!anyResolved)
        {
            var res = new ChoosePromise<T, TResult>(inputs, mode);
            res.Attach();
            return res;
        }

        if (mode == ChoosePromise<T, T>.ModeNPick)
        {
            ChoosePromise<T, T>.CancelAll(inputs);
        }

        if (error is not null)
        {
            return new Promise<TResult>(error);
        }

        if (mode == ChoosePromise<T, T>.ModeNChooseSplit)
        {
            // Lwt's synchronous path accumulates the pending list by prepending: reverse input order.
            stillPending.Reverse();
            object split = ((IReadOnlyList<T>)values, (IReadOnlyList<Promise<T>>)stillPending);
            return new Promise<TResult>((TResult)split);
        }

        return new Promise<TResult>((TResult)(object)values);
    }

    private static ArgumentException EmptyChoice(string name) =>
        new($"Promise.{name} of an empty sequence would return a promise that is pending forever (Lwt.{name.ToLowerInvariant()} []).", "promises");

    private static Promise<T>[] ToArray<T>(IEnumerable<Promise<T>> promises, string name)
    {
        ArgumentNullException.ThrowIfNull(promises, name);
        var array = promises as Promise<T>[] ?? promises.ToArray();
        foreach (var p in array)
        {
            if (p is null)
            {
                throw new ArgumentNullException(name, "The sequence contains a null promise.");
            }
        }

        return array;
    }
}

namespace PromiseTests.Core;

public class StorageTests
{
    [Fact]
    public void Unbound_key_is_default() => TestLoop.Run(() =>
    {
        var k = new PromiseKey<string>("k");
        Assert.Null(Promise.Get(k));
        Assert.False(Promise.TryGet(k, out _));
        Assert.Equal("k", k.ToString());
        Assert.Contains("PromiseKey", new PromiseKey<int>().ToString());
    });

    [Fact]
    public void WithValue_binds_during_f_and_restores() => TestLoop.Run(() =>
    {
        var k = new PromiseKey<int>();
        var inside = Promise.WithValue(k, 5, () => Promise.Get(k));
        Assert.Equal(5, inside);
        Assert.False(Promise.TryGet(k, out _));
    });

    [Fact]
    public void WithValue_restores_on_exception() => TestLoop.Run(() =>
    {
        var k = new PromiseKey<int>();
        Assert.Throws<TestException>(() => Promise.WithValue<int, int>(k, 5, () => throw new TestException()));
        Assert.False(Promise.TryGet(k, out _));
    });

    [Fact]
    public void WithValue_nests_and_WithoutValue_hides() => TestLoop.Run(() =>
    {
        var k = new PromiseKey<int>();
        Promise.WithValue(k, 1, () =>
        {
            Assert.Equal(2, Promise.WithValue(k, 2, () => Promise.Get(k)));
            Assert.Equal(1, Promise.Get(k));
            Assert.False(Promise.WithoutValue(k, () => Promise.TryGet(k, out _)));
            return 0;
        });
    });

    [Fact]
    public void Keys_are_independent() => TestLoop.Run(() =>
    {
        var k1 = new PromiseKey<int>();
        var k2 = new PromiseKey<int>();
        Promise.WithValue(k1, 1, () => Promise.WithValue(k2, 2, () =>
        {
            Assert.Equal(1, Promise.Get(k1));
            Assert.Equal(2, Promise.Get(k2));
            return 0;
        }));
    });

    [Fact]
    public void Bind_captures_storage_at_registration() => TestLoop.Run(() =>
    {
        var k = new PromiseKey<string>();
        var (p, r) = Promise.Create<int>();
        string? seen = "unset";
        Promise.WithValue(k, "registered", () => p.Bind(_ =>
        {
            seen = Promise.Get(k);
            return Promise.Unit;
        }));
        Promise.WithValue(k, "resolver", () =>
        {
            r.Resolve(1);
            Assert.Equal("resolver", Promise.Get(k));
            return 0;
        });
        Assert.Equal("registered", seen);
    });

    [Theory]
    [InlineData("map")]
    [InlineData("catch")]
    [InlineData("trybind")]
    [InlineData("finally")]
    [InlineData("onsuccess")]
    [InlineData("onfailure")]
    [InlineData("ontermination")]
    [InlineData("onany")]
    [InlineData("oncancel")]
    public void Every_registration_captures_storage(string kind) => TestLoop.Run(() =>
    {
        var k = new PromiseKey<string>();
        var (p, _) = Promise.CreateCancelable<int>();
        string? seen = null;
        void Record() => seen = Promise.Get(k);
        Promise.WithValue(k, "captured", () =>
        {
            switch (kind)
            {
                case "map": p.Map(x => { Record(); return x; }); break;
                case "catch": p.Catch(_ => { Record(); return Promise.FromResult(0); }); break;
                case "trybind": p.TryBind(_ => Promise.FromResult(0), _ => { Record(); return Promise.FromResult(0); }); break;
                case "finally": p.Finally(() => { Record(); return Promise.Unit; }); break;
                case "onsuccess": p.OnSuccess(_ => Record()); break;
                case "onfailure": p.OnFailure(_ => Record()); break;
                case "ontermination": p.OnTermination(Record); break;
                case "onany": p.OnAny(_ => Record(), _ => Record()); break;
                case "oncancel": p.OnCancel(Record); break;
            }

            return 0;
        });
        if (kind is "map" or "onsuccess")
        {
            Promise.Create<int>();
        }

        Promise.WithValue(k, "other", () =>
        {
            p.Cancel();
            return 0;
        });
        if (kind is "map" or "onsuccess")
        {
            Assert.Null(seen);
        }
        else
        {
            Assert.Equal("captured", seen);
        }
    });

    [Fact]
    public void Map_captures_storage_on_success() => TestLoop.Run(() =>
    {
        var k = new PromiseKey<string>();
        var (p, r) = Promise.Create<int>();
        string? seen = null;
        Promise.WithValue(k, "m", () => p.Map(x =>
        {
            seen = Promise.Get(k);
            return x;
        }));
        r.Resolve(1);
        Assert.Equal("m", seen);
    });

    [Fact]
    public void Storage_restored_after_callbacks_for_resolver() => TestLoop.Run(() =>
    {
        var k = new PromiseKey<int>();
        var (p, r) = Promise.Create<int>();
        Promise.WithValue(k, 1, () =>
        {
            p.OnSuccess(_ => Assert.Equal(1, Promise.Get(k)));
            return 0;
        });
        r.Resolve(0);
        Assert.False(Promise.TryGet(k, out _));
    });

    [Fact]
    public void Storage_null_arguments() => TestLoop.Run(() =>
    {
        var k = new PromiseKey<int>();
        Assert.Throws<ArgumentNullException>(() => Promise.Get<int>(null!));
        Assert.Throws<ArgumentNullException>(() => Promise.TryGet<int>(null!, out _));
        Assert.Throws<ArgumentNullException>(() => Promise.WithValue<int, int>(null!, 1, () => 0));
        Assert.Throws<ArgumentNullException>(() => Promise.WithValue<int, int>(k, 1, null!));
        Assert.Throws<ArgumentNullException>(() => Promise.WithoutValue<int, int>(k, null!));
    });
}

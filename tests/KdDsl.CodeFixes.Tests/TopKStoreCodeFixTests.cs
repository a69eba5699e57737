using System.Threading.Tasks;
using Xunit;
using static KdDsl.CodeFixes.Tests.Sources;

namespace KdDsl.CodeFixes.Tests;

/// <summary>KD0057 (a top-k store option without the store): remove the argument, or switch CacheOutputs to the store.</summary>
public sealed class TopKStoreCodeFixTests
{
    [Fact]
    public async Task KD0057_removes_the_option()
    {
        string source = Valid(Teacher, "[Teacher(typeof(BigNet), CacheOutputs = TeacherOutputCaching.Disk, CacheTopK = 64)]");
        string fixedSource = await CodeFixHarness.FixAsync(source, new TopKStoreCodeFixProvider(), "KD0057", "Remove CacheTopK");
        Assert.Equal(Valid(Teacher, "[Teacher(typeof(BigNet), CacheOutputs = TeacherOutputCaching.Disk)]"), fixedSource);
    }

    [Fact]
    public async Task KD0057_switches_the_declared_caching_to_the_top_k_store()
    {
        string source = Valid(Teacher, "[Teacher(typeof(BigNet), CacheOutputs = TeacherOutputCaching.Disk, CacheTopK = 64)]");
        string fixedSource = await CodeFixHarness.FixAsync(source, new TopKStoreCodeFixProvider(), "KD0057",
            "Use CacheOutputs = TeacherOutputCaching.SparseTopK");
        Assert.Equal(Valid(Teacher, "[Teacher(typeof(BigNet), CacheOutputs = TeacherOutputCaching.SparseTopK, CacheTopK = 64)]"), fixedSource);
    }

    [Fact]
    public async Task KD0057_adds_the_top_k_store_when_no_caching_is_declared()
    {
        string source = Valid(Teacher, "[Teacher(typeof(BigNet), CacheTopK = 64)]");
        string fixedSource = await CodeFixHarness.FixAsync(source, new TopKStoreCodeFixProvider(), "KD0057",
            "Use CacheOutputs = TeacherOutputCaching.SparseTopK");
        Assert.Equal(Valid(Teacher, "[Teacher(typeof(BigNet), CacheTopK = 64, CacheOutputs = TeacherOutputCaching.SparseTopK)]"), fixedSource);
    }

    [Fact]
    public async Task KD0057_without_k_offers_only_the_removal()
    {
        // Switching to the store would trade KD0057 for KD0058 (no k).
        string source = Valid(Teacher, "[Teacher(typeof(BigNet), CacheRemainder = SparseRemainder.Spread)]");
        Assert.Equal(new[] { "Remove CacheRemainder" }, await CodeFixHarness.TitlesAsync(source, new TopKStoreCodeFixProvider(), "KD0057"));
    }
}

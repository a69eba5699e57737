using System;
using System.Collections.Generic;
using System.Linq;
using KdDsl.Matching;
using Xunit;

namespace KdDsl.Tests.Matching;

/// <summary>Every strategy's map, against the rules written out by hand (Yu et al. 2025, and its 12 → 3 example).</summary>
public sealed class LayerMappingTests
{
    [Fact]
    public void Paper_example_twelve_to_three()
    {
        // S1 -> T4, S2 -> T8, S3 -> T12 (forward) and the reverse S1 -> T12, S2 -> T8, S3 -> T4.
        Assert.Equal(new[] { 4, 8, 12 }, LayerMapping.Targets(LayerSelection.Forward, 3, 12));
        Assert.Equal(new[] { 12, 8, 4 }, LayerMapping.Targets(LayerSelection.Reverse, 3, 12));
        Assert.Equal(new[] { 6, 6, 6 }, LayerMapping.Targets(LayerSelection.AllToOne, 3, 12)); // the middle layer, T6
        Assert.Equal(new[] { 2, 2, 2 }, LayerMapping.Targets(LayerSelection.AllToOne, 3, 12, allToOneTeacherLayer: 2));
        Assert.Empty(LayerMapping.Targets(LayerSelection.None, 3, 12));
    }

    [Theory]
    [InlineData(4, 12, new[] { 3, 6, 9, 12 })]
    [InlineData(5, 12, new[] { 2, 5, 7, 10, 12 })] // 2.4, 4.8, 7.2, 9.6, 12 rounded
    [InlineData(2, 3, new[] { 2, 3 })]             // 1.5 rounds half up to 2
    [InlineData(3, 3, new[] { 1, 2, 3 })]
    [InlineData(1, 6, new[] { 6 })]
    public void Forward_rounds_i_times_m_over_n(int n, int m, int[] expected)
    {
        Assert.Equal(expected, LayerMapping.Targets(LayerSelection.Forward, n, m));
        Assert.Equal(expected.Reverse(), LayerMapping.Targets(LayerSelection.Reverse, n, m));
    }

    [Fact]
    public void Random_is_a_permutation_of_the_forward_targets_fixed_by_the_seed()
    {
        var orders = new HashSet<string>();
        for (int seed = 0; seed < 30; seed++)
        {
            var targets = LayerMapping.Targets(LayerSelection.Random, 3, 12, seed);
            Assert.Equal(new[] { 4, 8, 12 }, targets.OrderBy(t => t));
            Assert.Equal(targets, LayerMapping.Targets(LayerSelection.Random, 3, 12, seed)); // deterministic
            orders.Add(string.Join(",", targets));
        }
        Assert.True(orders.Count >= 4, $"30 seeds gave only {orders.Count} of the 6 orders");
    }

    [Fact]
    public void In_order_random_is_a_sorted_subset_of_distinct_teacher_layers_fixed_by_the_seed()
    {
        var subsets = new HashSet<string>();
        for (int seed = 0; seed < 30; seed++)
        {
            var targets = LayerMapping.Targets(LayerSelection.InOrderRandom, 3, 12, seed);
            Assert.Equal(3, targets.Distinct().Count());
            Assert.Equal(targets.OrderBy(t => t), targets);
            Assert.All(targets, t => Assert.InRange(t, 1, 12));
            Assert.Equal(targets, LayerMapping.Targets(LayerSelection.InOrderRandom, 3, 12, seed));
            subsets.Add(string.Join(",", targets));
        }
        Assert.True(subsets.Count >= 10, $"30 seeds gave only {subsets.Count} subsets of C(12,3) = 220");
        Assert.Equal(new[] { 1, 2, 3 }, LayerMapping.Targets(LayerSelection.InOrderRandom, 3, 3, 9)); // n = m: every layer
    }

    [Theory]
    [InlineData(LayerSelection.Forward)]
    [InlineData(LayerSelection.Reverse)]
    [InlineData(LayerSelection.Random)]
    [InlineData(LayerSelection.InOrderRandom)]
    public void Strategies_with_distinct_targets_refuse_a_deeper_student(LayerSelection selection)
    {
        var e = Assert.Throws<LayerMatchingException>(() => LayerMapping.Targets(selection, 4, 3));
        Assert.Contains("student's 4 layers", e.Message);
        Assert.Equal(new[] { 2, 2, 2, 2 }, LayerMapping.Targets(LayerSelection.AllToOne, 4, 3)); // AllToOne does not need fewer
    }

    private static LayerStackShape Shape(string role, int layers, int width, string? embedding = "embedding") =>
        new(role, role == "student" ? "S" : "T", "blocks", embedding, layers, width);

    [Fact]
    public void Resolve_gives_paths_and_adds_the_embedding_pair_first()
    {
        var map = LayerMapping.Resolve(new MatchingSettings(LayerSelection.Forward, MatchEmbeddings: true),
            Shape("student", 3, 8), Shape("teacher", 12, 16), seed: 0);
        Assert.Equal("embedding -> embedding, blocks.0 -> blocks.3, blocks.1 -> blocks.7, blocks.2 -> blocks.11", map.ToString());
        Assert.Equal(new[] { 0, 1, 2, 3 }, map.Pairs.Select(p => p.StudentState));
        Assert.Equal(new[] { 0, 4, 8, 12 }, map.Pairs.Select(p => p.TeacherState));
        Assert.True(map.NeedsProjection);
        Assert.Equal("none", LayerMapping.Resolve(new MatchingSettings(LayerSelection.None), Shape("student", 3, 8), Shape("teacher", 12, 16), 0).ToString());
    }

    [Fact]
    public void Resolve_explicit_and_all_to_one_paths()
    {
        var map = LayerMapping.Resolve(new MatchingSettings(LayerSelection.Explicit, ExplicitMap: new[] { ("blocks.2", "blocks.0"), ("embedding", "blocks.11") }),
            Shape("student", 3, 16), Shape("teacher", 12, 16), 0);
        Assert.Equal("blocks.2 -> blocks.0, embedding -> blocks.11", map.ToString());
        Assert.False(map.NeedsProjection);
        var allToOne = LayerMapping.Resolve(new MatchingSettings(LayerSelection.AllToOne, AllToOneTeacherLayer: "blocks.9"),
            Shape("student", 2, 16), Shape("teacher", 12, 16), 0);
        Assert.Equal("blocks.0 -> blocks.9, blocks.1 -> blocks.9", allToOne.ToString());
    }

    [Fact]
    public void Resolve_refuses_what_does_not_fit_the_built_models()
    {
        var student = Shape("student", 3, 8);
        var teacher = Shape("teacher", 12, 16, embedding: null);
        Assert.Contains("out of range: the teacher T has 12 layers", Assert.Throws<LayerMatchingException>(() => LayerMapping.Resolve(
            new MatchingSettings(LayerSelection.Explicit, ExplicitMap: new[] { ("blocks.0", "blocks.12") }), student, teacher, 0)).Message);
        Assert.Contains("'block.0' is not a layer of the student S", Assert.Throws<LayerMatchingException>(() => LayerMapping.Resolve(
            new MatchingSettings(LayerSelection.Explicit, ExplicitMap: new[] { ("block.0", "blocks.1") }), student, teacher, 0)).Message);
        Assert.Contains("MatchEmbeddings needs an embedding layer", Assert.Throws<LayerMatchingException>(() => LayerMapping.Resolve(
            new MatchingSettings(LayerSelection.Forward, MatchEmbeddings: true), student, teacher, 0)).Message);
        Assert.Contains("width 8 differs from the teacher's 16", Assert.Throws<LayerMatchingException>(() => LayerMapping.Resolve(
            new MatchingSettings(LayerSelection.Forward, Projection: false), student, teacher, 0)).Message);
        Assert.Contains("teacher has only 2", Assert.Throws<LayerMatchingException>(() => LayerMapping.Resolve(
            new MatchingSettings(LayerSelection.Reverse), student, Shape("teacher", 2, 8), 0)).Message);
    }
}

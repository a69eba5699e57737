using System;
using System.IO;
using System.Linq;
using System.Text;
using KdDsl.Data;
using Xunit;

namespace KdDsl.Tests.Data;

public sealed class ImdbReviewsTests
{
    // A tiny corpus whose word counts are easy to do by hand.
    // Train words: "good" x4, "bad" x3, "movie" x2, "plot" x1, "don't" x1.
    private const string Train =
        "{\"text\": \"Good movie, good plot.\", \"label\": 1}\n" +
        "{\"text\": \"Bad BAD movie<br />good\", \"label\": 0}\n" +
        "\n" +
        "{\"text\": \"don't: bad, good\", \"label\": 0}\n";

    private const string Test = "{\"text\": \"good unknownword bad\", \"label\": 1}\n";

    private static TempDirectory Corpus(string train = Train, string test = Test, bool gzip = true)
    {
        var folder = new TempDirectory();
        if (gzip)
        {
            File.WriteAllBytes(folder.File("train.jsonl.gz"), IdxBytes.Gzip(Encoding.UTF8.GetBytes(train)));
            File.WriteAllBytes(folder.File("test.jsonl.gz"), IdxBytes.Gzip(Encoding.UTF8.GetBytes(test)));
        }
        else
        {
            File.WriteAllText(folder.File("train.jsonl"), train);
            File.WriteAllText(folder.File("test.jsonl"), test);
        }
        return folder;
    }

    [Fact]
    public void Tokenize_lowercases_splits_on_punctuation_and_html_breaks_and_keeps_inner_apostrophes()
    {
        Assert.Equal(new[] { "bad", "bad", "movie", "good" }, ImdbReviews.Tokenize("Bad BAD movie<br />good"));
        Assert.Equal(new[] { "don't", "bad", "it's" }, ImdbReviews.Tokenize("'don't' -- bad! it's"));
    }

    [Fact]
    public void Vocabulary_ranks_by_training_frequency_then_alphabetically()
    {
        var vocabulary = Vocabulary.FromTexts(new[] { "Good movie, good plot.", "Bad BAD movie<br />good", "don't: bad, good" }, 4);
        // good 4, bad 3, movie 2, then don't and plot tie at 1: "don't" < "plot" ordinally.
        Assert.Equal(new[] { "good", "bad", "movie", "don't" }, vocabulary.Words);
    }

    [Fact]
    public void TokenIds_pad_truncate_and_map_unknown_words()
    {
        using var folder = Corpus();
        using var splits = ImdbReviews.TokenIds(folder.Path, vocabularySize: 5, maxLength: 4);
        // Vocabulary of 5 ids: 0 padding, 1 unknown, good=2, bad=3, movie=4.
        float[] train = splits.Train.Features.data<float>().ToArray();
        Assert.Equal(new float[] { 2, 4, 2, 1 }, train[0..4]);   // good movie good plot(unknown)
        Assert.Equal(new float[] { 3, 3, 4, 2 }, train[4..8]);   // bad bad movie good
        Assert.Equal(new float[] { 1, 3, 2, 0 }, train[8..12]);  // don't(unknown) bad good, padding
        Assert.Equal(new long[] { 1, 0, 0 }, splits.Train.Labels.data<long>().ToArray());
        Assert.Equal(new float[] { 2, 1, 3, 0 }, splits.Test.Features.data<float>().ToArray());
        Assert.Equal(2, splits.Train.ClassCount);
    }

    [Fact]
    public void BagOfWords_is_log_one_plus_count_over_the_training_vocabulary()
    {
        using var folder = Corpus(gzip: false);
        using var splits = ImdbReviews.BagOfWords(folder.Path, vocabularySize: 3); // good, bad, movie
        float[] first = splits.Train.Features.data<float>().ToArray()[0..3];
        Assert.Equal(MathF.Log(3), first[0], 6); // "good" twice
        Assert.Equal(0f, first[1]);
        Assert.Equal(MathF.Log(2), first[2], 6); // "movie" once
        float[] test = splits.Test.Features.data<float>().ToArray();
        Assert.Equal(new[] { MathF.Log(2), MathF.Log(2), 0f }, test);
    }

    [Fact]
    public void Limits_draw_a_fixed_subset_of_both_classes_even_from_a_file_sorted_by_label()
    {
        // 50 negative reviews, then 50 positive ones (the shipped files are ordered like this): a prefix would be one class.
        string sorted = string.Concat(Enumerable.Range(0, 100).Select(i => $"{{\"text\": \"review {i}\", \"label\": {(i < 50 ? 0 : 1)}}}\n"));
        using var folder = Corpus(sorted);
        using var first = ImdbReviews.BagOfWords(folder.Path, 10, trainLimit: 20);
        using var again = ImdbReviews.BagOfWords(folder.Path, 10, trainLimit: 20);
        Assert.Equal(20, first.Train.Count);
        Assert.Equal(1, first.Test.Count);
        long positives = first.Train.Labels.sum().item<long>();
        Assert.InRange(positives, 3, 17); // P(outside) < 0.2% for a uniform draw of 20 from 50 + 50
        Assert.Equal(first.Train.Labels.data<long>().ToArray(), again.Train.Labels.data<long>().ToArray());
        Assert.Equal(first.Train.Features.data<float>().ToArray(), again.Train.Features.data<float>().ToArray());
    }

    [Theory]
    [InlineData("{\"text\": \"fine\", \"label\": 2}\n", "line 1: label 2 is not 0")]
    [InlineData("{\"text\": \"fine\", \"label\": 1}\n{\"label\": 1}\n", "line 2: missing the string field \"text\"")]
    [InlineData("{\"text\": \"fine\"\n", "line 1: not valid JSON")]
    [InlineData("{\"text\": \"fine\", \"label\": \"yes\"}\n", "line 1: missing the integer field \"label\"")]
    public void Malformed_lines_are_refused_naming_file_and_line(string train, string expected)
    {
        using var folder = Corpus(train);
        var error = Assert.Throws<DatasetException>(() => ImdbReviews.TokenIds(folder.Path, 10, 3));
        Assert.Contains("train.jsonl.gz", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_missing_folder_says_what_it_must_hold()
    {
        var error = Assert.Throws<DatasetException>(() => ImdbReviews.BagOfWords("/nonexistent/imdb", 10));
        Assert.Contains("must hold train.jsonl.gz and test.jsonl.gz", error.Message);
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KdDsl.Data;
using TorchSharp;

namespace KdDsl.Examples.ConfigSweep;

/// <summary>
/// A random subset of the IMDB reviews as bag-of-words features (the same features as <see cref="ImdbReviews.BagOfWords"/>:
/// log(1 + count) of the most frequent training words), drawn with a fixed seed per split. It was written when BagOfWords'
/// limits took a prefix of the files, which list all negative reviews first; the loader now draws a seeded subset too, but a
/// different one, so this stays to keep docs/experiments/config-sweep.md reproducible.
/// </summary>
public static class ImdbSubset
{
    public static DatasetSplits Load(string folder, int vocabularySize, int trainCount, int testCount, int seed = 0)
    {
        var train = Sample(ImdbReviews.ReadFile(Path.Combine(folder, ImdbReviews.TrainFile)), trainCount, seed);
        var test = Sample(ImdbReviews.ReadFile(Path.Combine(folder, ImdbReviews.TestFile)), testCount, seed + 1);
        var vocabulary = Vocabulary.FromTexts(train.Select(r => r.Text), vocabularySize);
        return new DatasetSplits(Features(train, vocabulary, vocabularySize, "imdb train subset"), Features(test, vocabulary, vocabularySize, "imdb test subset")).Validate();
    }

    private static List<Review> Sample(IReadOnlyList<Review> reviews, int count, int seed)
    {
        var order = Enumerable.Range(0, reviews.Count).ToArray();
        new Random(seed).Shuffle(order);
        return order.Take(Math.Min(count, reviews.Count)).Select(i => reviews[i]).ToList();
    }

    private static LabeledDataset Features(List<Review> reviews, Vocabulary vocabulary, int width, string name)
    {
        var values = new float[reviews.Count * width];
        var labels = new long[reviews.Count];
        for (int n = 0; n < reviews.Count; n++)
        {
            foreach (string word in ImdbReviews.Tokenize(reviews[n].Text))
                if (vocabulary.TryGetRank(word, out int rank) && rank < width) values[n * width + rank] += 1;
            labels[n] = reviews[n].Label;
        }
        for (int i = 0; i < values.Length; i++) values[i] = MathF.Log(1 + values[i]);
        return new LabeledDataset(name, torch.tensor(values, new long[] { reviews.Count, width }), torch.tensor(labels), ImdbReviews.ClassCount);
    }
}

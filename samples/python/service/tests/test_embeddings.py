from sample_app.embeddings import DIMENSIONS, from_literal, mock_embedding, to_literal, validate

import pytest


def test_mock_embedding_is_deterministic_and_in_the_unit_cube():
    first = mock_embedding("Red")
    assert first == mock_embedding("  red ")
    assert len(first) == DIMENSIONS
    assert all(0.0 <= v <= 1.0 for v in first)


def test_the_pgvector_literal_round_trips():
    assert to_literal([1, 0, 0.5]) == "[1.0,0.0,0.5]"
    assert from_literal("[1,0,0.5]") == [1.0, 0.0, 0.5]


def test_a_wrong_dimension_is_refused():
    with pytest.raises(ValueError):
        validate([1.0, 2.0])

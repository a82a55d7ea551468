from regcore import Linear, make_data
from regcore.reference import counting_row_fetches, train_original


def test_row_fetches_per_epoch_are_every_training_and_validation_row():
    data = make_data(n_train=50, n_val=300)
    with counting_row_fetches() as counter:
        train_original(Linear(), data.x_train, data.y_train, data.x_val, data.y_val, lr=0.1,
                       epochs=3)
    # epoch 0 evaluation plus three epochs, each touching all 50 + 300 rows once
    assert counter["rows"] == 4 * (50 + 300)
    with counting_row_fetches() as counter:
        pass
    assert counter["rows"] == 0

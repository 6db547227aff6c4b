def transfer(db, source, target, amount):
    tx = db.begin()
    try:
        source.withdraw(amount)
        target.deposit(amount)
        tx.commit()
    except:
        tx.rollback()
        raise

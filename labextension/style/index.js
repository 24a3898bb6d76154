import './base.css';
import './bookview.css';
